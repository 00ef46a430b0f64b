#!/usr/bin/env python3
"""Rewrites the kernel launches of a CUDA source for the host emulation (tests/emulation/,
not a GPU run), at build time, so that the kernels are tested as they are in kernels/:

    name<<<grid, block[, shared[, stream]]>>>(args);
 -> ::vswap::emulation::launch(::vswap::emulation::config(grid, block[, ...]), name, args);

Everything else is copied unchanged and line for line, after a #line directive naming the
original file: compiler messages and __FILE__/__LINE__ (VSWAP_CUDA_TRY) point into
kernels/. A `<<<` that is not such a statement (in code: comments and literals are
skipped) stops the build with file:line.

Usage: rewrite_launches.py INPUT.cu OUTPUT.cpp
       rewrite_launches.py --self-test
"""
import os
import sys

IDENT = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


class RewriteError(Exception):
    pass


def is_char_literal(text, i):
    """Whether the ' at i opens a character literal (L'x', u8'x'), not a digit separator (1'000)."""
    j = i
    while j > 0 and text[j - 1] in IDENT:
        j -= 1
    return text[j:i] in ("", "L", "u", "U", "u8")


def code_mask(text):
    """For each character: True when it is code (not in a comment, string or char literal)."""
    mask = [True] * len(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise RewriteError((i, "unterminated comment"))
            j += 2
        elif c == '"' and i > 0 and text[i - 1] == "R" and (i < 2 or text[i - 2] not in IDENT):
            k = text.find("(", i)
            delim = ")" + text[i + 1:k] + '"'
            j = text.find(delim, k)
            if k < 0 or j < 0:
                raise RewriteError((i, "unterminated raw string"))
            j += len(delim)
        elif c == '"' or (c == "'" and is_char_literal(text, i)):
            j = i + 1
            while j < n and text[j] != c:
                if text[j] == "\\":
                    j += 1
                elif text[j] == "\n":
                    raise RewriteError((i, "unterminated literal"))
                j += 1
            if j >= n:
                raise RewriteError((i, "unterminated literal"))
            j += 1
        else:
            i += 1
            continue
        for k in range(i, j):
            mask[k] = False
        i = j
    return mask


def skip_space(text, mask, i, step):
    """Moves from i over whitespace and comments in direction step (+1 or -1)."""
    while 0 <= i < len(text) and (text[i].isspace() or not mask[i]):
        i += step
    return i


def match_forward(text, mask, i):
    """Index just past the bracket that closes the one at text[i] (nesting (), [], {})."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    stack = []
    for j in range(i, len(text)):
        if not mask[j]:
            continue
        c = text[j]
        if c in pairs:
            stack.append(pairs[c])
        elif c in ")]}":
            if not stack or stack.pop() != c:
                return -1
            if not stack:
                return j + 1
    return -1


def find_close_launch(text, mask, i):
    """Index of the `>>>` closing the configuration that starts at i (top nesting level)."""
    stack, pairs = [], {"(": ")", "[": "]", "{": "}"}
    j = i
    while j < len(text):
        if mask[j]:
            c = text[j]
            if c in pairs:
                stack.append(pairs[c])
            elif c in ")]}":
                if not stack or stack.pop() != c:
                    return -1
            elif c == ";" and not stack:
                return -1
            elif text.startswith(">>>", j) and not stack:
                return j
        j += 1
    return -1


def name_start(text, mask, end):
    """Start of the kernel name (identifiers, ::, template arguments) ending before `end`."""
    i = end - 1
    while i >= 0:
        if text[i] in IDENT:
            while i >= 0 and text[i] in IDENT:
                i -= 1
        elif text[i] == ">":  # template arguments: back to the matching <
            depth = 0
            while i >= 0:
                if mask[i] and text[i] == ">":
                    depth += 1
                elif mask[i] and text[i] == "<":
                    depth -= 1
                    if depth == 0:
                        break
                i -= 1
            if i < 0:
                return -1
            i -= 1
            i = skip_space(text, mask, i, -1)
            continue
        else:
            return -1
        if i >= 1 and text[i - 1:i + 1] == "::":
            i -= 2
            continue
        break
    start = i + 1
    if start >= end or text[start] not in IDENT or text[start].isdigit():
        return -1
    before = skip_space(text, mask, i, -1)
    # The launch must be a statement of its own: after ; { } ) (an if/for/while) or else.
    line_start = text.rfind("\n", 0, before + 1) + 1
    after_directive = text[line_start:].lstrip().startswith("#")
    if (before >= 0 and text[before] not in ";{}):" and not text[:before + 1].endswith("else")
            and not after_directive):
        return -1
    return start


def rewrite(text, path="<input>"):
    mask = code_mask(text)
    out, pos, i = [], 0, 0

    def fail(at, why):
        line = text.count("\n", 0, at) + 1
        raise RewriteError(f"{path}:{line}: cannot rewrite this kernel launch for the emulation: {why}")

    launches = 0
    while True:
        i = text.find("<<<", i)
        if i < 0:
            break
        if not mask[i]:
            i += 3
            continue
        name_end = skip_space(text, mask, i - 1, -1) + 1
        start = name_start(text, mask, name_end)
        if start < 0:
            fail(i, "expected `kernel<<<...>>>(...);` as a statement")
        close = find_close_launch(text, mask, i + 3)
        if close < 0:
            fail(i, "no `>>>` closing the configuration")
        paren = skip_space(text, mask, close + 3, +1)
        if paren >= len(text) or text[paren] != "(":
            fail(i, "no argument list after `>>>`")
        args_end = match_forward(text, mask, paren)
        if args_end < 0:
            fail(i, "unbalanced argument list")
        semi = skip_space(text, mask, args_end, +1)
        if semi >= len(text) or text[semi] != ";":
            fail(i, "the launch is not a statement ending in `;`")
        name = text[start:name_end]
        config = text[i + 3:close]
        args = text[paren + 1:args_end - 1]
        if not config.strip():
            fail(i, "empty configuration")
        # Newlines dropped between the pieces are appended, so lines keep their numbers.
        dropped = text[name_end:i] + text[close + 3:paren] + text[args_end:semi]
        call = f"::vswap::emulation::launch(::vswap::emulation::config({config}), {name}"
        call += f", {args});" if args.strip() else ");"
        out.append(text[pos:start])
        out.append(call + "\n" * dropped.count("\n"))
        pos = i = semi + 1
        launches += 1
    out.append(text[pos:])
    result = "".join(out)
    stray = [k for k in range(len(result)) if result.startswith(">>>", k)]
    rmask = code_mask(result)
    for k in stray:
        if rmask[k]:
            raise RewriteError(f"{path}: a `>>>` outside any launch")
    return result, launches


def self_test():
    ok = [
        ("k<<<1, 2>>>(a, b);", "::vswap::emulation::launch(::vswap::emulation::config(1, 2), k, a, b);"),
        ("  k<<<g, 256>>>();", "  ::vswap::emulation::launch(::vswap::emulation::config(g, 256), k);"),
        ("if (x) ns::k<T, 4><<<f(a, b), dim3(2, 2), 0, s>>>(v[1], (c >> 1));",
         "if (x) ::vswap::emulation::launch(::vswap::emulation::config(f(a, b), dim3(2, 2), 0, s), ns::k<T, 4>, "
         "v[1], (c >> 1));"),
        ("k<<<blocks_for(n,\n   sm), 256>>>(\n  a,\n  b);\nnext();",
         "::vswap::emulation::launch(::vswap::emulation::config(blocks_for(n,\n   sm), 256), k, \n  a,\n  b);\nnext();"),
        ("#if 1\nk<<<1, 2>>>(a);\n#endif", "#if 1\n::vswap::emulation::launch(::vswap::emulation::config(1, 2), k, a);\n#endif"),
        ("k <<< 1, 2 >>>\n (x);", "::vswap::emulation::launch(::vswap::emulation::config( 1, 2 ), k, x);\n"),
        ("// k<<<1, 2>>>(a);\n/* k<<<1>>> */ s = \"<<<\";", "// k<<<1, 2>>>(a);\n/* k<<<1>>> */ s = \"<<<\";"),
        ("c = L'('; k<<<1, 2>>>(a);", "c = L'('; ::vswap::emulation::launch(::vswap::emulation::config(1, 2), k, a);"),
        ("x = 1'000; c = '<'; k<<<1, 2>>>(\")\");",
         "x = 1'000; c = '<'; ::vswap::emulation::launch(::vswap::emulation::config(1, 2), k, \")\");"),
    ]
    bad = [
        "auto r = k<<<1, 2>>>(a);",      # not a statement
        "k<<<1, 2>>>(a) ;; k<<<1>>>(a",  # unbalanced
        "k<<<1, 2>>>;",                  # no arguments
        "k<<<1, 2>>>(a), f();",          # not ending in ;
        "k<<<1, 2;",                     # no >>>
        "k<<<>>>(a);",                   # empty configuration
    ]
    failures = 0
    for src, want in ok:
        got, _ = rewrite(src)
        if got != want or got.count("\n") != src.count("\n"):
            print(f"self-test: {src!r}\n  got  {got!r}\n  want {want!r}")
            failures += 1
    for src in bad:
        try:
            rewrite(src)
            print(f"self-test: accepted {src!r}")
            failures += 1
        except RewriteError:
            pass
    print(f"rewrite_launches.py self-test: {len(ok) + len(bad) - failures} of {len(ok) + len(bad)} cases pass")
    return 1 if failures else 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    src, dst = argv[1], argv[2]
    with open(src, encoding="utf-8") as f:
        text = f.read()
    try:
        result, launches = rewrite(text, src)
    except RewriteError as e:
        msg = e.args[0]
        if isinstance(msg, tuple):
            msg = f"{src}:{text.count(chr(10), 0, msg[0]) + 1}: {msg[1]}"
        print(f"error: {msg}", file=sys.stderr)
        return 1
    escaped = src.replace("\\", "\\\\").replace('"', '\\"')
    header = (f"// Generated by tests/emulation/rewrite_launches.py from {src} ({launches} launches): "
              "the host emulation's copy, not a source file.\n")
    with open(dst + ".tmp", "w", encoding="utf-8") as f:
        f.write(header + f'#line 1 "{escaped}"\n' + result)
    os.replace(dst + ".tmp", dst)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
