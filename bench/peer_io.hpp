// What the benchmarks share to talk to command-line peers: DRC's raw 32-bit float files
// and the median of repeated runs.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

namespace roomcal::bench {

inline std::vector<double> read_raw_float(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::vector<float> f;
    float v;
    while (in.read(reinterpret_cast<char*>(&v), sizeof v)) f.push_back(v);
    return {f.begin(), f.end()};
}

inline void write_raw_float(const std::filesystem::path& p, const std::vector<double>& x) {
    std::ofstream out(p, std::ios::binary);
    for (double d : x) {
        const auto v = static_cast<float>(d);
        out.write(reinterpret_cast<const char*>(&v), sizeof v);
    }
}

inline double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

}  // namespace roomcal::bench
