// SIGTERM / SIGINT during `vswap run` (see stop_signals.hpp).
#include "app/stop_signals.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>

namespace vswap::app {
namespace {

static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs lock-free atomics");

std::atomic<int> g_signal{0};   // the stop signal that came, 0 while none did
std::atomic<int> g_at_once{0};  // 1: the handler ends the process (the texts below are set)
// Composed before the handler may read them: it may only write(2), unlink(2) and _exit(2).
char g_note[2048];
std::size_t g_note_size = 0;
char g_temporary[4096];  // a partial output to remove, "" for none

struct sigaction g_old_term = {};
struct sigaction g_old_int = {};

void write_all(const char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(2, p, n);
    if (w <= 0) return;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

[[noreturn]] void stop_now(int sig) {
  const bool term = sig == SIGTERM;
  const char* head = term ? "\nvswap run: SIGTERM received " : "\nvswap run: SIGINT received ";
  const char* tail = term ? " (exit 143)\n" : " (exit 130)\n";
  write_all(head, std::strlen(head));
  write_all(g_note, g_note_size);
  write_all(tail, std::strlen(tail));
  if (g_temporary[0] != '\0') ::unlink(g_temporary);
  ::_exit(128 + sig);
}

extern "C" void on_stop_signal(int sig) {
  g_signal = sig;
  if (g_at_once) stop_now(sig);
}

void copy_text(char* to, std::size_t capacity, const std::string& text, std::size_t* size) {
  const std::size_t n = std::min(text.size(), capacity - 1);
  std::memcpy(to, text.data(), n);
  to[n] = '\0';
  if (size) *size = n;
}

}  // namespace

StopSignals::StopSignals(const std::string& note) {
  exit_at_once(note);
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, &g_old_term);
  sigaction(SIGINT, &sa, &g_old_int);
}

StopSignals::~StopSignals() {
  sigaction(SIGTERM, &g_old_term, nullptr);
  sigaction(SIGINT, &g_old_int, nullptr);
  g_at_once = 0;
}

void StopSignals::exit_at_once(const std::string& note, const std::string& temporary) {
  g_at_once = 0;  // the handler only notes a signal while the texts change
  copy_text(g_note, sizeof g_note, note, &g_note_size);
  copy_text(g_temporary, sizeof g_temporary, temporary, nullptr);
  g_at_once = 1;
  if (const int sig = g_signal; sig != 0) stop_now(sig);
}

void StopSignals::note_only() {
  g_at_once = 0;
}

int StopSignals::pending() {
  return g_signal;
}

}  // namespace vswap::app
