// `roomcal compare` on two 5-minute stereo 48 kHz files against ffmpeg's EBU R128 meter
// (`ffmpeg -af ebur128=peak=true`) run on the same two files, as whole processes, in the
// same run (shared/specs/benchmarks.md: medians, same-run ratios).
//
// - Input: `seconds` (300) of stereo "music" (Gaussian noise under a slowly changing
//   envelope, plus a few tones) as a 24-bit WAV; its master: the same through a +3 dB low
//   shelf at 100 Hz, 3.5 dB louder, starting 1.5 s later, 24-bit.
// - Before timing, roomcal's answer is checked: offset 72000 samples, gain match within
//   0.1 LU of ffmpeg's integrated loudness difference.
// - Timing: wall and CPU time (wait4) of `roomcal compare MIX MASTER --json F` against the
//   two ffmpeg runs together (one per file; ffmpeg measures loudness and true peak only,
//   roomcal also aligns, resamples when needed and computes the spectra), median of
//   `runs`, interleaved, after one untimed warm-up each.
//
// Usage: bench_compare_vs_ffmpeg [runs=5] [seconds=300] [--roomcal PATH] [--dir DIR]
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "peer_io.hpp"
#include "process_timing.hpp"
#include "roomcal/dsp/biquad_design.hpp"
#include "roomcal/io/audio_file.hpp"

using namespace roomcal;
namespace fs = std::filesystem;

namespace {

constexpr double rate = 48000.0;
constexpr std::size_t offset = 72000;  // 1.5 s
constexpr double gain_db = 3.5;

[[noreturn]] void fail(const std::string& message) {
    std::cerr << "bench_compare_vs_ffmpeg: " << message << "\n";
    std::exit(1);
}

std::string fixed(double v, int decimals) {
    char s[64];
    std::snprintf(s, sizeof s, "%.*f", decimals, v);
    return s;
}

AudioBuffer<float> music(double seconds) {
    const auto n = static_cast<std::size_t>(seconds * rate);
    AudioBuffer<float> x(2, n);
    std::mt19937 rng(7);
    std::normal_distribution<double> g(0.0, 1.0);
    double env = 0.1, lp[2] = {0.0, 0.0};
    for (std::size_t i = 0; i < n; ++i) {
        if (i % 24000 == 0) env = 0.03 + 0.12 * std::abs(g(rng));
        const double t = static_cast<double>(i) / rate;
        const double tones = 0.05 * std::sin(2.0 * M_PI * 110.0 * t) + 0.03 * std::sin(2.0 * M_PI * 1318.5 * t);
        for (std::size_t c = 0; c < 2; ++c) {
            lp[c] = 0.6 * lp[c] + g(rng);  // a little darker than white
            x(c, i) = static_cast<float>(env * 0.5 * lp[c] + tones);
        }
    }
    return x;
}

AudioBuffer<float> mastered(const AudioBuffer<float>& mix) {
    const Biquad shelf = dsp::design_biquad({FilterType::low_shelf, 100.0, 0.7, 3.0}, Hz(rate));
    const float gain = static_cast<float>(std::pow(10.0, gain_db / 20.0));
    AudioBuffer<float> m(2, mix.num_frames() + offset);
    for (std::size_t c = 0; c < 2; ++c) {
        double s1 = 0.0, s2 = 0.0;
        for (std::size_t i = 0; i < mix.num_frames(); ++i) {
            const double v = mix(c, i), y = shelf.b0 * v + s1;
            s1 = shelf.b1 * v - shelf.a1 * y + s2;
            s2 = shelf.b2 * v - shelf.a2 * y;
            m(c, i + offset) = static_cast<float>(y) * gain;
        }
    }
    return m;
}

// ffmpeg's integrated loudness from its ebur128 summary in `log`.
double ffmpeg_integrated(const fs::path& log) {
    const std::string text = bench::read_text(log);
    std::smatch m;
    const std::regex summary(R"(Integrated loudness:\s*\n\s*I:\s*(-?[0-9.]+) LUFS)");
    if (!std::regex_search(text, m, summary)) fail("no integrated loudness in " + log.string());
    return std::stod(m[1]);
}

}  // namespace

int main(int argc, char** argv) {
    int runs = 5;
    double seconds = 300.0;
    fs::path roomcal = ROOMCAL_CLI_PATH, dir = fs::temp_directory_path() / "roomcal-compare-bench";
    int positional = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--roomcal" && i + 1 < argc)
            roomcal = argv[++i];
        else if (a == "--dir" && i + 1 < argc)
            dir = argv[++i];
        else if (positional == 0 && ++positional)
            runs = std::max(1, std::atoi(a.c_str()));
        else if (positional == 1 && ++positional)
            seconds = std::max(30.0, std::atof(a.c_str()));
        else
            fail("usage: bench_compare_vs_ffmpeg [runs=5] [seconds=300] [--roomcal PATH] [--dir DIR]");
    }
    fs::create_directories(dir);
    std::cout << "compare vs ffmpeg ebur128; " << runs << " runs of " << fixed(seconds, 0) << " s; work folder "
              << dir.string() << "\nmachine: load average at start " << bench::load_average() << "\n";
    const auto mix = music(seconds);
    io::write_audio(dir / "mix.wav", mix.view(), Hz(rate), io::AudioWriteFormat::wav_pcm24);
    io::write_audio(dir / "master.wav", mastered(mix).view(), Hz(rate), io::AudioWriteFormat::wav_pcm24);
    std::cout << "input: " << fixed(seconds, 0) << " s stereo 48 kHz 24-bit mix; master = +3 dB low shelf at 100 Hz, +"
              << fixed(gain_db, 1) << " dB, 1.5 s later\n";

    const bench::Argv ours = {
        roomcal.string(),         "compare", (dir / "mix.wav").string(), (dir / "master.wav").string(), "--json",
        (dir / "c.json").string()};
    const auto ffmpeg = [&](const char* file) {
        return bench::Argv{"ffmpeg", "-hide_banner",      "-nostats", "-i",   (dir / file).string(),
                           "-af",    "ebur128=peak=true", "-f",       "null", "-"};
    };
    try {
        // The check (and warm-up).
        bench::run_process(ours, dir / "ours.log");
        bench::run_process(ffmpeg("mix.wav"), dir / "ffmpeg-mix.log");
        bench::run_process(ffmpeg("master.wav"), dir / "ffmpeg-master.log");
        std::ifstream in(dir / "c.json");
        const auto j = nlohmann::json::parse(in);
        const long got_offset = j["offset_samples"].get<long>();
        const double ours_gain = j["gain_match_db"].get<double>();
        const double ffmpeg_gain =
            ffmpeg_integrated(dir / "ffmpeg-master.log") - ffmpeg_integrated(dir / "ffmpeg-mix.log");
        std::cout << "check: roomcal offset " << got_offset << " samples (truth " << offset << "), gain match "
                  << fixed(ours_gain, 2) << " dB, ffmpeg's integrated difference " << fixed(ffmpeg_gain, 2) << " LU\n";
        if (got_offset != static_cast<long>(offset) || std::abs(ours_gain - ffmpeg_gain) > 0.1)
            fail("roomcal's comparison is wrong; not timing it");

        std::vector<double> ow, oc, fw, fc;
        for (int r = 0; r < runs; ++r) {
            const auto o = bench::run_process(ours, dir / "ours.log");
            const auto a = bench::run_process(ffmpeg("mix.wav"), dir / "ffmpeg-mix.log");
            const auto b = bench::run_process(ffmpeg("master.wav"), dir / "ffmpeg-master.log");
            ow.push_back(o.wall), oc.push_back(o.cpu), fw.push_back(a.wall + b.wall), fc.push_back(a.cpu + b.cpu);
        }
        const double o_wall = bench::median(ow), o_cpu = bench::median(oc), f_wall = bench::median(fw),
                     f_cpu = bench::median(fc);
        std::cout << "commands:\n  " << bench::shell_words(ours) << "\n  " << bench::shell_words(ffmpeg("mix.wav"))
                  << " (and the same for master.wav)\n";
        std::cout << "roomcal compare: wall " << fixed(o_wall, 3) << " s, CPU " << fixed(o_cpu, 3) << " s (median of "
                  << runs << ")\n";
        std::cout << "ffmpeg ebur128, both files: wall " << fixed(f_wall, 3) << " s, CPU " << fixed(f_cpu, 3) << " s\n";
        std::cout << "ratio (ffmpeg wall / roomcal wall): " << fixed(f_wall / o_wall, 2) << "; CPU "
                  << fixed(f_cpu / o_cpu, 2) << "\n";
        std::cout << "acceptance: compare of two " << fixed(seconds / 60.0, 1)
                  << "-minute files <= 2 s: " << fixed(o_wall, 3) << " s " << (o_wall <= 2.0 ? "PASS" : "FAIL") << "\n";
        std::cout << "load average at the end: " << bench::load_average() << "\n";
    } catch (const std::exception& e) {
        fail(e.what());
    }
    return 0;
}
