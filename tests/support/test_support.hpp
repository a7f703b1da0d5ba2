// Helpers shared by the tests: temporary folders, signal generators, level measures.
#pragma once

#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace roomcal::test {

// A fresh folder under the system temp dir, removed with everything in it on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

std::vector<double> white_noise(std::size_t n, double rms, unsigned seed);
std::vector<double> sine(std::size_t n, double freq_hz, double rate_hz, double amplitude, double phase = 0.0);
double rms(const std::vector<double>& x);

// Result of running the roomcal CLI: exit code and everything it printed.
struct CliResult {
    int exit_code = -1;
    std::string out;  // stdout and stderr together
};
CliResult run_cli(const std::string& args);

// Path of a file in ../shared/data, or empty if that folder is absent (a user's clone).
std::filesystem::path shared_data(const std::string& name);

// Every file below `dir`, relative; used to assert that failures leave nothing behind.
std::vector<std::string> list_files(const std::filesystem::path& dir);

}  // namespace roomcal::test
