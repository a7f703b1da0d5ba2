// Process timing for the benchmarks (see process_timing.hpp).
#include "process_timing.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>

extern char** environ;

namespace roomcal::bench {

std::string load_average() {
    std::ifstream in("/proc/loadavg");
    std::string a, b, c;
    in >> a >> b >> c;
    return a + " " + b + " " + c;
}

double monotonic_seconds() {
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

std::string read_text(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// The command as a shell would take it (leading NAME=value words stay assignments).
std::string shell_words(const Argv& argv) {
    std::string s;
    bool leading = true;
    for (const auto& a : argv) {
        leading = leading && a.find('=') != std::string::npos && a[0] != '-' && a.find(' ') == std::string::npos;
        const bool quote = !leading && a.find_first_of(" []=;,:") != std::string::npos;
        s += (s.empty() ? "" : " ") + (quote ? "'" + a + "'" : a);
    }
    return s;
}

Timing run_process(const Argv& argv, const std::filesystem::path& log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    // Leading NAME=value words set the child's environment, as in a shell.
    std::vector<std::string> env_words;
    std::size_t first = 0;
    while (first < argv.size() && argv[first].find('=') != std::string::npos && argv[first][0] != '-')
        env_words.push_back(argv[first++]);
    std::vector<char*> env;
    for (auto& w : env_words) env.push_back(w.data());
    for (char** e = environ; *e; ++e) {
        const std::string_view var(*e);
        const bool overridden = std::any_of(env_words.begin(), env_words.end(), [&](const std::string& w) {
            return var.substr(0, var.find('=') + 1) == std::string_view(w).substr(0, w.find('=') + 1);
        });
        if (!overridden) env.push_back(*e);
    }
    env.push_back(nullptr);
    std::vector<char*> args;
    for (std::size_t i = first; i < argv.size(); ++i) args.push_back(const_cast<char*>(argv[i].c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    const double start = monotonic_seconds();
    const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), env.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("could not start " + argv[first] + ": " + std::strerror(rc));
    int status = 0;
    rusage usage{};
    while (wait4(pid, &status, 0, &usage) < 0)
        if (errno != EINTR) throw std::runtime_error("wait4 failed for " + argv[0] + ": " + std::strerror(errno));
    Timing t;
    t.wall = monotonic_seconds() - start;
    const auto secs = [](const timeval& v) {
        return static_cast<double>(v.tv_sec) + 1e-6 * static_cast<double>(v.tv_usec);
    };
    t.cpu = secs(usage.ru_utime) + secs(usage.ru_stime);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error(shell_words(argv) + " failed (status " + std::to_string(status) + "):\n" +
                                 read_text(log));
    return t;
}

}  // namespace roomcal::bench
