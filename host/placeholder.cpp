// replaced by the theory library
