// Test helpers.
#include "support/test_support.hpp"

#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <numbers>

namespace roomcal::test {
namespace fs = std::filesystem;

TempDir::TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("roomcal-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1)));
    fs::remove_all(path_);
    fs::create_directories(path_);
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

std::vector<double> white_noise(std::size_t n, double rms_level, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> g(0.0, rms_level);
    std::vector<double> x(n);
    for (auto& v : x) v = g(rng);
    return x;
}

std::vector<double> sine(std::size_t n, double freq_hz, double rate_hz, double amplitude, double phase) {
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i)
        x[i] = amplitude * std::sin(2.0 * std::numbers::pi * freq_hz * static_cast<double>(i) / rate_hz + phase);
    return x;
}

double rms(const std::vector<double>& x) {
    double s = 0.0;
    for (double v : x) s += v * v;
    return x.empty() ? 0.0 : std::sqrt(s / static_cast<double>(x.size()));
}

CliResult run_cli(const std::string& args) {
    CliResult r;
    const std::string cmd = std::string(ROOMCAL_CLI_PATH) + " " + args + " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return r;
    std::array<char, 4096> buf{};
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
    const int status = ::pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

fs::path shared_data(const std::string& name) {
    const fs::path p = fs::path(ROOMCAL_SHARED_DATA_DIR) / name;
    return fs::exists(p) ? p : fs::path();
}

std::vector<std::string> list_files(const fs::path& dir) {
    std::vector<std::string> files;
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(dir, ec))
        if (e.is_regular_file()) files.push_back(fs::relative(e.path(), dir).string());
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace roomcal::test
