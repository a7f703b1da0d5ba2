// Timing command-line tools as whole processes, for the benchmarks against peers: wall time
// from spawn to reaping and the child's CPU time (user + system, all its threads).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace roomcal::bench {

using Argv = std::vector<std::string>;

struct Timing {
    double wall = 0.0, cpu = 0.0;
};

// Runs `argv` (no shell; leading NAME=value words set the child's environment) with
// stdout and stderr into `log`, stdin from /dev/null. Throws std::runtime_error when it
// cannot start or exits other than 0 (with the log).
Timing run_process(const Argv& argv, const std::filesystem::path& log);

// The command as a shell would take it (for printing).
std::string shell_words(const Argv& argv);

std::string load_average();
double monotonic_seconds();
std::string read_text(const std::filesystem::path& p);

}  // namespace roomcal::bench
