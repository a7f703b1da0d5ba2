// Offline rendering as whole processes on the same files: `roomcal render --fir` against
// fconvolver (jconvolver), sox `fir` and ffmpeg `afir`, and the full chain (65536-tap
// correction + 8 EQ bands + makeup + true-peak limiter + meters) against ffmpeg's
// equalizer/alimiter (shared/specs/benchmarks.md: medians, same-run ratios).
//
// - Input: `seconds` (60) of 48 kHz stereo white noise (Gaussian, RMS 0.1) as a float WAV;
//   a 65536-tap stereo FIR WAV with a different decaying-noise filter per channel (60 dB
//   down at the last tap, unit energy, so the output keeps the input's level), and the
//   same taps as text for sox. chain8.json: 2 shelves + 6 bells, +6 dB makeup, limiter at
//   -1 dBTP (it works on the loudest peaks of this input).
// - Correctness before any timing: every tool renders the first 10 s, and each output
//   channel is compared with a double-precision FFT convolution of the same float input and
//   taps. The lag is found by FFT cross-correlation within +-taps (y[i] = ref[i + lag]; sox
//   takes (N-1)/2 off), then the least-squares gain and the relative RMS error at unity
//   gain over the samples the output holds. A tool worse than 1e-6 is reported, not timed.
// - Timing: wall time (spawn to reaping) and CPU time (the child's user + system time from
//   wait4, all its threads) of each whole process, median of `runs`, the tools interleaved
//   and their order rotated run by run, after one untimed warm-up run each. "Null" runs (a
//   plain copy through each tool) give the start-up and file I/O share. roomcal gets its
//   own FFTW wisdom cache (XDG_CACHE_HOME in the work folder), written by the check runs,
//   so every timed run loads measured plans; its null run gets another, since a roomcal
//   run that plans no FFT saves an empty wisdom file. fconvolver runs with -T (output as
//   long as the input, like the others) in its four settings (-V vector mode, -M
//   FFTW_MEASURE); the best one is the reference.
// - Full chain: `roomcal render --fir F --chain chain8.json` (meters on, as by default)
//   against `ffmpeg -af` 8 x (lowshelf|equalizer|highshelf) + volume + alimiter (the peer of
//   shared/specs/benchmarks.md), and against the like-for-like ffmpeg graph with afir in
//   front and ebur128 (true peak) behind. The limiters differ (alimiter is a sample-peak
//   limiter), so these outputs are not graded against a reference; both are measured with
//   roomcal's meters instead.
//
// Usage: bench_render_vs_peers [runs=5] [seconds=60] [--roomcal PATH] [--dir DIR]
//                              [--blocks B,B,...]   (extra roomcal blocks to time)
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <complex>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <regex>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "peer_io.hpp"
#include "process_timing.hpp"
#include "roomcal/core/atomic_file.hpp"
#include "roomcal/core/mastering_chain.hpp"
#include "roomcal/dsp/fft.hpp"
#include "roomcal/engine/meters.hpp"
#include "roomcal/io/audio_file.hpp"
#include "roomcal/io/chain_file.hpp"

extern char** environ;

using namespace roomcal;
namespace fs = std::filesystem;

namespace {

using bench::median;

constexpr double rate = 48000.0;
constexpr std::size_t taps = 65536;
constexpr double check_seconds = 10.0;
constexpr double tolerance = 1e-6;  // relative RMS error (shared/specs/benchmarks.md)
constexpr float noise_rms = 0.1f;
constexpr std::size_t our_block = 1024;

[[noreturn]] void fail(const std::string& message) {
    std::cerr << "bench_render_vs_peers: " << message << "\n";
    std::exit(1);
}

using bench::load_average;
using bench::monotonic_seconds;
using bench::read_text;

std::string fixed(double v, int decimals) {
    char s[64];
    std::snprintf(s, sizeof s, "%.*f", decimals, v);
    return s;
}

std::string scientific(double v) {
    char s[64];
    std::snprintf(s, sizeof s, "%.2e", v);
    return s;
}

// ---- processes -------------------------------------------------------------------------

using bench::Argv;
using bench::shell_words;
using bench::Timing;

Timing run_process(const Argv& argv, const fs::path& log) {
    try {
        return bench::run_process(argv, log);
    } catch (const std::exception& e) {
        fail(e.what());
    }
}

// ---- signals and the reference ---------------------------------------------------------

std::vector<float> gaussian_noise(std::size_t n, std::uint32_t seed, float rms) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> d(0.0f, rms);
    std::vector<float> x(n);
    for (auto& v : x) v = d(rng);
    return x;
}

std::vector<float> decaying_noise(std::size_t n, std::uint32_t seed) {
    auto h = gaussian_noise(n, seed, 1.0f);
    double energy = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        h[i] *= static_cast<float>(std::exp(-std::log(1000.0) * static_cast<double>(i) / static_cast<double>(n)));
        energy += static_cast<double>(h[i]) * h[i];
    }
    const auto scale = static_cast<float>(1.0 / std::sqrt(energy));
    for (auto& v : h) v *= scale;
    return h;
}

void write_wav(const fs::path& p, const std::vector<std::vector<float>>& channels) {
    AudioBuffer<float> a(channels.size(), channels.front().size());
    for (std::size_t c = 0; c < channels.size(); ++c)
        std::copy(channels[c].begin(), channels[c].end(), a.channel(c).begin());
    io::write_audio(p, a.view(), Hz(rate), io::AudioWriteFormat::wav_float32);
}

// Full linear convolution in double, x.size() + h.size() - 1 samples.
std::vector<double> reference_convolution(const std::vector<float>& x, const std::vector<float>& h) {
    const std::size_t len = x.size() + h.size() - 1, n = dsp::next_fast_size(len);
    auto fx = dsp::rfft(std::vector<double>(x.begin(), x.end()), n);
    const auto fh = dsp::rfft(std::vector<double>(h.begin(), h.end()), n);
    for (std::size_t k = 0; k < fx.size(); ++k) fx[k] *= fh[k];
    auto y = dsp::irfft(fx, n);
    y.resize(len);
    return y;
}

struct Grade {
    long lag = 0;  // y[i] = ref[i + lag]
    double gain = 0.0, error = 0.0;
    std::size_t compared = 0, length = 0;
};

// Finds the lag of `y` against `ref` within +-max_lag by FFT cross-correlation, then grades
// it at that lag over the samples y holds that the reference covers.
Grade grade(std::span<const float> y, const std::vector<double>& ref, std::size_t max_lag) {
    const std::size_t n = dsp::next_fast_size(y.size() + ref.size());
    auto fy = dsp::rfft(std::vector<double>(y.begin(), y.end()), n);
    const auto fr = dsp::rfft(ref, n);
    for (std::size_t k = 0; k < fy.size(); ++k) fy[k] = std::conj(fy[k]) * fr[k];
    const auto corr = dsp::irfft(fy, n);  // corr[k] = sum_i y[i] ref[i + k], circular
    Grade g;
    double best = -1.0;
    for (long k = -static_cast<long>(max_lag); k <= static_cast<long>(max_lag); ++k) {
        const double v = std::abs(corr[static_cast<std::size_t>(k < 0 ? static_cast<long>(n) + k : k)]);
        if (v > best) best = v, g.lag = k;
    }
    double yr = 0.0, rr = 0.0, ee = 0.0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        const long j = static_cast<long>(i) + g.lag;
        const double r = j >= 0 && j < static_cast<long>(ref.size()) ? ref[static_cast<std::size_t>(j)] : 0.0;
        if (j >= 0 && j < static_cast<long>(ref.size())) ++g.compared;
        yr += y[i] * r;
        rr += r * r;
        ee += (y[i] - r) * (y[i] - r);
    }
    g.gain = rr > 0.0 ? yr / rr : 0.0;
    g.error = rr > 0.0 ? std::sqrt(ee / rr) : 1.0;
    g.length = y.size();
    return g;
}

// ---- the tools -------------------------------------------------------------------------

// What to check in one output file: for each of its channels, the reference it should be.
struct OutputCheck {
    fs::path file;
    std::vector<std::size_t> reference;  // index into the references
};

struct Job {
    std::vector<Argv> steps;  // run one after the other; times add up
    std::vector<OutputCheck> checks;
};

using JobFor = std::function<Job(const fs::path& in, const fs::path& out_stem)>;

struct Tool {
    Tool(std::string n, std::string f, JobFor j, bool c = true)
        : name(std::move(n)), family(std::move(f)), job(std::move(j)), checked(c) {}
    std::string name;
    std::string family;  // "roomcal", "fconvolver" (the best setting is the reference), "null", "chain", ...
    JobFor job;
    bool checked;  // null runs and the full chain are not graded against the FIR reference
    std::vector<Timing> times;
    bool usable = true;
};

struct Files {
    fs::path dir, in, in_check, fir, coefs[2], fconv_conf, fconv_null_conf, chain;
};

// The eight EQ bands of the full chain as chain.json gets them and as ffmpeg's filters.
struct Band {
    FilterType type;
    double hz, q, gain_db;
};
const std::vector<Band> chain_bands{
    {FilterType::low_shelf, 80.0, 0.7, 3.0},  {FilterType::peaking, 120.0, 2.0, -4.0},
    {FilterType::peaking, 250.0, 1.4, -2.0},  {FilterType::peaking, 500.0, 1.0, 1.5},
    {FilterType::peaking, 1200.0, 2.0, -1.0}, {FilterType::peaking, 3000.0, 1.5, 2.0},
    {FilterType::peaking, 6000.0, 3.0, -2.5}, {FilterType::high_shelf, 10000.0, 0.7, 2.0},
};
constexpr double chain_makeup_db = 6.0;
constexpr double chain_ceiling_dbtp = -1.0;
constexpr double chain_release_ms = 100.0;

std::string ffmpeg_chain() {
    std::string s;
    for (const auto& b : chain_bands) {
        const char* name = b.type == FilterType::low_shelf    ? "lowshelf"
                           : b.type == FilterType::high_shelf ? "highshelf"
                                                              : "equalizer";
        s += std::string(s.empty() ? "" : ",") + name + "=f=" + fixed(b.hz, 0) + ":t=q:w=" + fixed(b.q, 2) +
             ":g=" + fixed(b.gain_db, 2);
    }
    s += ",volume=" + fixed(chain_makeup_db, 1) + "dB";
    s += ",alimiter=limit=" + fixed(std::pow(10.0, chain_ceiling_dbtp / 20.0), 4) +
         ":release=" + fixed(chain_release_ms, 0) + ":level=disabled";
    return s;
}

const char* const afir_graph = "afir=gtype=none:wet=0.5";  // ffmpeg 5.1: gtype=none doubles, wet=0.5 undoes it

Argv ffmpeg_head(const fs::path& in) {
    return {"ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", in.string()};
}

std::vector<Tool> make_tools(const Files& f, const fs::path& roomcal, const std::vector<std::size_t>& blocks) {
    std::vector<Tool> tools;
    const std::string r = roomcal.string();
    auto ours = [&](std::string name, Argv extra, bool checked = true, std::string family = "roomcal") {
        tools.emplace_back(
            std::move(name), std::move(family),
            [r, extra](const fs::path& in, const fs::path& out) {
                Argv a{r, "render", in.string(), out.string() + ".wav"};
                a.insert(a.end(), extra.begin(), extra.end());
                return Job{{a}, {{out.string() + ".wav", {0, 1}}}};
            },
            checked);
    };
    const std::string fir = f.fir.string();
    ours("roomcal render --block 1024", {"--fir", fir, "--block", std::to_string(our_block)});
    ours("roomcal render --block 1024 --no-meters",
         {"--fir", fir, "--block", std::to_string(our_block), "--no-meters"});
    ours("roomcal render (default block)", {"--fir", fir});
    ours("roomcal render (default block) --no-meters", {"--fir", fir, "--no-meters"});
    for (std::size_t b : blocks)
        ours("roomcal render --block " + std::to_string(b) + " --no-meters",
             {"--fir", fir, "--block", std::to_string(b), "--no-meters"});

    // -T: output as long as the input, like the others (fconvolver 1.1.0's tail past the
    // input's end is not the filter's tail: it keeps convolving stale input).
    for (const Argv& flags : std::vector<Argv>{{"-T"}, {"-T", "-V"}, {"-T", "-M"}, {"-T", "-M", "-V"}}) {
        std::string name = "fconvolver";
        for (const auto& s : flags) name += " " + s;
        tools.emplace_back(name, "fconvolver", [flags, f](const fs::path& in, const fs::path& out) {
            Argv a{"fconvolver"};
            a.insert(a.end(), flags.begin(), flags.end());
            a.insert(a.end(), {f.fconv_conf.string(), in.string(), out.string() + ".wav"});
            return Job{{a}, {{out.string() + ".wav", {0, 1}}}};
        });
    }
    tools.emplace_back("sox fir, one process per channel", "sox", [f](const fs::path& in, const fs::path& out) {
        Job j;
        for (std::size_t c = 0; c < 2; ++c) {
            const std::string o = out.string() + "-" + std::to_string(c + 1) + ".wav";
            j.steps.push_back({"sox", in.string(), o, "remix", std::to_string(c + 1), "fir", f.coefs[c].string()});
            j.checks.push_back({o, {c}});
        }
        return j;
    });
    tools.emplace_back("sox fir, one process, channel 1's filter on both", "sox-one",
                       [f](const fs::path& in, const fs::path& out) {
                           const std::string o = out.string() + ".wav";
                           return Job{{{"sox", in.string(), o, "fir", f.coefs[0].string()}}, {{o, {0, 2}}}};
                       });
    tools.emplace_back("ffmpeg afir", "ffmpeg", [f](const fs::path& in, const fs::path& out) {
        Argv a = ffmpeg_head(in);
        a.insert(a.end(), {"-i", f.fir.string(), "-filter_complex", std::string("[0:a][1:a]") + afir_graph + "[o]",
                           "-map", "[o]", "-c:a", "pcm_f32le", out.string() + ".wav"});
        return Job{{a}, {{out.string() + ".wav", {0, 1}}}};
    });

    // Null runs: the same process and files, no filtering.
    // Its own FFTW cache: at this commit a roomcal run that plans no FFT saves an empty
    // wisdom file at exit, and the next render would measure every plan again.
    tools.emplace_back(
        "null: roomcal render --no-correction --no-meters", "null",
        [r, f](const fs::path& in, const fs::path& out) {
            return Job{{{"XDG_CACHE_HOME=" + (f.dir / "cache-null").string(), r, "render", in.string(),
                         out.string() + ".wav", "--no-correction", "--no-meters"}},
                       {}};
        },
        false);
    tools.emplace_back(
        "null: fconvolver, one-tap (dirac) paths", "null",
        [f](const fs::path& in, const fs::path& out) {
            return Job{{{"fconvolver", "-T", f.fconv_null_conf.string(), in.string(), out.string() + ".wav"}}, {}};
        },
        false);
    tools.emplace_back(
        "null: sox copy", "null",
        [](const fs::path& in, const fs::path& out) {
            return Job{{{"sox", in.string(), out.string() + ".wav"}}, {}};
        },
        false);
    tools.emplace_back(
        "null: ffmpeg copy", "null",
        [](const fs::path& in, const fs::path& out) {
            Argv a = ffmpeg_head(in);
            a.insert(a.end(), {"-c:a", "pcm_f32le", out.string() + ".wav"});
            return Job{{a}, {}};
        },
        false);

    // The full chain.
    ours("chain: roomcal render --fir --chain chain8.json (default block, meters)",
         {"--fir", fir, "--chain", f.chain.string()}, false, "chain");
    ours("chain: roomcal render --fir --chain chain8.json --block 1024 (meters)",
         {"--fir", fir, "--chain", f.chain.string(), "--block", std::to_string(our_block)}, false, "chain");
    tools.emplace_back(
        "chain: ffmpeg -af 8 x EQ + volume + alimiter", "chain",
        [](const fs::path& in, const fs::path& out) {
            Argv a = ffmpeg_head(in);
            a.insert(a.end(), {"-af", ffmpeg_chain(), "-c:a", "pcm_f32le", out.string() + ".wav"});
            return Job{{a}, {}};
        },
        false);
    tools.emplace_back(
        "chain: ffmpeg afir + 8 x EQ + volume + alimiter + ebur128=peak=true", "chain",
        [f](const fs::path& in, const fs::path& out) {
            Argv a = ffmpeg_head(in);
            a.insert(a.end(), {"-i", f.fir.string(), "-filter_complex",
                               std::string("[0:a][1:a]") + afir_graph + "," + ffmpeg_chain() + ",ebur128=peak=true[o]",
                               "-map", "[o]", "-c:a", "pcm_f32le", out.string() + ".wav"});
            return Job{{a}, {}};
        },
        false);
    return tools;
}

Timing run_job(const Job& job, const fs::path& log_stem) {
    Timing total;
    for (std::size_t s = 0; s < job.steps.size(); ++s) {
        const Timing t = run_process(job.steps[s], log_stem.string() + "-" + std::to_string(s) + ".log");
        total.wall += t.wall;
        total.cpu += t.cpu;
    }
    return total;
}

// ---- meters for the chain outputs ------------------------------------------------------

std::string metered(const fs::path& p) {
    const auto file = io::read_audio(p);
    engine::Meters m;
    m.prepare(file.info.sample_rate.value, file.info.num_channels);
    const std::size_t block = 4096;
    std::vector<const float*> ptr(file.info.num_channels);
    for (std::size_t pos = 0; pos < file.info.num_frames; pos += block) {
        const std::size_t n = std::min(block, file.info.num_frames - pos);
        for (std::size_t c = 0; c < ptr.size(); ++c) ptr[c] = file.audio.channel(c).data() + pos;
        m.tap().push(ptr.data(), n);
        m.update();
    }
    const auto r = m.readings();
    double tp = engine::meter_silence, sp = engine::meter_silence;
    for (std::size_t c = 0; c < r.channels; ++c) {
        tp = std::max(tp, r.true_peak_dbtp[c].max_db);
        sp = std::max(sp, r.sample_peak_dbfs[c].max_db);
    }
    return fixed(r.integrated_lufs, 2) + " LUFS, LRA " + fixed(r.loudness_range_lu, 1) + " LU, true peak " +
           fixed(tp, 2) + " dBTP, sample peak " + fixed(sp, 2) + " dBFS";
}

// What the FFT wrapper of the roomcal processes loads before their first plan.
std::string wisdom_state(const fs::path& cache) {
    const fs::path p = cache / "roomcal" / "fftw-wisdom-float";
    std::ifstream in(p);
    if (!in) return "none at " + p.string();
    std::size_t bytes = 0, entries = 0;
    for (std::string line; std::getline(in, line);) {
        bytes += line.size() + 1;
        if (line.rfind("  (", 0) == 0) ++entries;
    }
    return p.string() + ": " + std::to_string(bytes) + " bytes, " + std::to_string(entries) + " plan entries";
}

std::string first_line_of(const Argv& argv, const fs::path& log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    if (posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ) == 0) {
        int status = 0;
        waitpid(pid, &status, 0);
    }
    posix_spawn_file_actions_destroy(&actions);
    std::istringstream s(read_text(log));
    std::string line;
    while (std::getline(s, line))
        if (!line.empty()) return line;
    return "?";
}

struct Args {
    int runs = 5;
    double seconds = 60.0;
    fs::path roomcal = ROOMCAL_CLI_PATH;
    fs::path dir = fs::temp_directory_path() / "roomcal-render-bench";
    std::vector<std::size_t> blocks;
};

Args parse(int argc, char** argv) {
    Args a;
    std::vector<std::string> positional;
    for (int i = 1; i < argc; ++i) {
        const std::string s = argv[i];
        const auto value = [&] {
            if (i + 1 >= argc) fail(s + " needs a value");
            return std::string(argv[++i]);
        };
        if (s == "--roomcal") {
            a.roomcal = fs::absolute(value());
        } else if (s == "--dir") {
            a.dir = fs::absolute(value());
        } else if (s == "--blocks") {
            std::stringstream list(value());
            for (std::string b; std::getline(list, b, ',');) a.blocks.push_back(std::stoul(b));
        } else {
            positional.push_back(s);
        }
    }
    if (positional.size() > 0) a.runs = std::stoi(positional[0]);
    if (positional.size() > 1) a.seconds = std::stod(positional[1]);
    if (a.runs < 1 || !(a.seconds >= check_seconds))
        fail("usage: bench_render_vs_peers [runs>=1] [seconds>=10] [--roomcal PATH] [--dir DIR] [--blocks B,B]");
    return a;
}

}  // namespace

int main(int argc, char** argv) {
    const Args args = parse(argc, argv);
    if (!fs::exists(args.roomcal))
        fail(args.roomcal.string() + " does not exist; build the roomcal target or pass --roomcal");
    for (const char* tool : {"fconvolver", "sox", "ffmpeg"})
        if (std::system((std::string("command -v ") + tool + " >/dev/null").c_str()) != 0)
            fail(std::string(tool) + " is missing; apt-get install jconvolver sox ffmpeg (scripts/bench.sh does)");
    fs::create_directories(args.dir);
    const fs::path cache = args.dir / "cache";
    fs::remove_all(cache);
    setenv("XDG_CACHE_HOME", cache.c_str(), 1);

    std::cout << "offline render vs fconvolver, sox, ffmpeg; " << args.runs << " runs of " << args.seconds
              << " s; work folder " << args.dir.string() << "\n";
    std::cout << "machine: " << sysconf(_SC_NPROCESSORS_ONLN) << " cores, load average at start " << load_average()
              << "\n";
    std::cout << "roomcal: " << args.roomcal.string() << "\n";
    std::cout << "fconvolver: " << first_line_of({"fconvolver", "-h"}, args.dir / "version.log") << "\n";
    std::cout << "sox: " << first_line_of({"sox", "--version"}, args.dir / "version.log") << "\n";
    std::cout << "ffmpeg: " << first_line_of({"ffmpeg", "-version"}, args.dir / "version.log") << "\n";

    // ---- the files
    Files f;
    f.dir = args.dir;
    f.in = args.dir / "in.wav";
    f.in_check = args.dir / "in-check.wav";
    f.fir = args.dir / "fir.wav";
    f.chain = args.dir / "chain8.json";
    f.fconv_conf = args.dir / "fconvolver.conf";
    f.fconv_null_conf = args.dir / "fconvolver-null.conf";
    const auto frames = static_cast<std::size_t>(std::llround(args.seconds * rate));
    const auto check_frames = static_cast<std::size_t>(std::llround(check_seconds * rate));
    std::vector<std::vector<float>> x{gaussian_noise(frames, 1, noise_rms), gaussian_noise(frames, 2, noise_rms)};
    const std::vector<std::vector<float>> h{decaying_noise(taps, 3), decaying_noise(taps, 4)};
    write_wav(f.in, x);
    for (auto& c : x) c.resize(check_frames);
    write_wav(f.in_check, x);
    write_wav(f.fir, h);
    for (std::size_t c = 0; c < 2; ++c) {
        f.coefs[c] = args.dir / ("coefs-" + std::to_string(c + 1) + ".txt");
        std::ofstream out(f.coefs[c]);
        char s[32];
        for (float v : h[c]) {
            std::snprintf(s, sizeof s, "%.9g\n", static_cast<double>(v));
            out << s;
        }
    }
    // Partition 1024 and density 0.5 (two of four paths); fconvolver uses 8192 regardless.
    std::ofstream(f.fconv_conf) << "/convolver/new 2 2 1024 " << taps << " 0.5\n"
                                << "/impulse/read 1 1 1 0 0 0 1 " << f.fir.string() << "\n"
                                << "/impulse/read 2 2 1 0 0 0 2 " << f.fir.string() << "\n";
    std::ofstream(f.fconv_null_conf) << "/convolver/new 2 2 1024 " << taps << " 0.5\n"
                                     << "/impulse/dirac 1 1 1 0\n/impulse/dirac 2 2 1 0\n";
    MasteringChain chain;
    for (const auto& b : chain_bands) chain.eq.push_back({{b.type, b.hz, b.q, b.gain_db}, true});
    chain.makeup_db = chain_makeup_db;
    chain.limiter = {true, chain_ceiling_dbtp, chain_release_ms, 0.0};
    io::write_chain(chain, f.chain);
    std::cout << "input: " << args.seconds << " s, 48 kHz stereo Gaussian white noise, RMS " << noise_rms
              << ", float WAV; filter: " << taps << " taps per channel, a different decaying noise per channel\n";

    // ---- correctness (and roomcal's wisdom) on the first 10 s
    const std::vector<std::vector<double>> refs{reference_convolution(x[0], h[0]), reference_convolution(x[1], h[1]),
                                                reference_convolution(x[1], h[0])};
    auto tools = make_tools(f, args.roomcal, args.blocks);
    std::optional<std::size_t> default_block;
    for (auto& t : tools) {
        const fs::path out = args.dir / "check-out";
        const Job job = t.job(f.in_check, out);
        run_job(job, args.dir / "check");
        if (t.name == "roomcal render (default block)") {
            std::smatch m;
            const std::string log = read_text(args.dir / "check-0.log");
            if (std::regex_search(log, m, std::regex("block (\\d+) frames"))) default_block = std::stoul(m[1]);
        }
        if (!t.checked) continue;
        std::string line = "check " + t.name + ":";
        for (const auto& oc : job.checks) {
            const auto y = io::read_audio(oc.file);
            for (std::size_t c = 0; c < oc.reference.size(); ++c) {
                const auto g = grade(y.audio.channel(c), refs[oc.reference[c]], taps);
                const bool tail = g.length >= check_frames + taps - 1;
                line += " [ch " + std::to_string(oc.reference[c] == 2 ? 2 : oc.reference[c] + 1) + ": lag " +
                        std::to_string(g.lag) + ", gain " + fixed(g.gain, 7) + ", rel RMS error " +
                        scientific(g.error) + ", " + std::to_string(g.length) + " samples" +
                        (tail                       ? " (input + tail)"
                         : g.length == check_frames ? " (input length)"
                                                    : "") +
                        "]";
                if (!(g.error < tolerance)) t.usable = false;
            }
        }
        std::cout << line << (t.usable ? " ok" : " FAILS 1e-6: not timed") << "\n";
    }
    // With the default block at 1024 the "default block" variants repeat the 1024 ones.
    if (default_block && *default_block == our_block)
        std::erase_if(tools, [](const Tool& t) { return t.name.find("(default block") != std::string::npos; });
    std::cout << "roomcal default block: " << (default_block ? std::to_string(*default_block) : "?") << " frames\n";
    std::cout << "roomcal FFTW wisdom (written by the check runs, loaded by every timed run): " << wisdom_state(cache)
              << "\n";
    std::cout << "commands (IN, OUT, F = the files above):\n";
    for (const auto& t : tools)
        if (t.usable)
            for (const auto& step : t.job(f.in, args.dir / "out").steps) std::cout << "  " << shell_words(step) << "\n";

    // ---- timing
    for (auto& t : tools)
        if (t.usable) run_job(t.job(f.in, args.dir / "out"), args.dir / "warm");
    std::cout << "load average before timing: " << load_average() << "\n";
    for (int run = 0; run < args.runs; ++run)
        for (std::size_t k = 0; k < tools.size(); ++k) {
            auto& t = tools[(k + static_cast<std::size_t>(run)) % tools.size()];
            if (t.usable) t.times.push_back(run_job(t.job(f.in, args.dir / "out"), args.dir / "run"));
        }
    std::cout << "load average after timing: " << load_average() << "\n";

    // ---- figures
    struct Figure {
        double wall = 0.0, cpu = 0.0;
    };
    std::map<std::string, Figure> fig;
    for (const auto& t : tools) {
        if (!t.usable) continue;
        std::vector<double> wall, cpu;
        for (const auto& run : t.times) wall.push_back(run.wall), cpu.push_back(run.cpu);
        fig[t.name] = {median(wall), median(cpu)};
        std::cout << t.name << ": wall " << fixed(fig[t.name].wall, 3)
                  << " s = " << fixed(args.seconds / fig[t.name].wall, 1) << "x real time, CPU "
                  << fixed(fig[t.name].cpu, 3) << " s = " << fixed(args.seconds / fig[t.name].cpu, 1)
                  << "x real time (median of " << t.times.size() << "; fastest wall "
                  << fixed(*std::min_element(wall.begin(), wall.end()), 3) << " s, CPU "
                  << fixed(*std::min_element(cpu.begin(), cpu.end()), 3) << " s)\n";
    }
    // The best fconvolver setting by wall time is the reference.
    std::string best_fconv;
    for (const auto& t : tools)
        if (t.family == "fconvolver" && t.usable && (best_fconv.empty() || fig[t.name].wall < fig[best_fconv].wall))
            best_fconv = t.name;
    const auto ratio_line = [&](const std::string& ours, const std::string& peer) {
        if (!fig.count(ours) || !fig.count(peer)) return;
        std::cout << "ratio " << ours << " / " << peer << ": throughput (peer wall / ours) "
                  << fixed(fig[peer].wall / fig[ours].wall, 2) << ", CPU per sample (ours / peer) "
                  << fixed(fig[ours].cpu / fig[peer].cpu, 2) << "\n";
    };
    for (const auto& t : tools)
        if (t.family == "roomcal" && t.usable) {
            ratio_line(t.name, best_fconv);
            ratio_line(t.name, "sox fir, one process per channel");
            ratio_line(t.name, "ffmpeg afir");
        }
    // Processing alone: each tool's median less its null run's. Not for fconvolver: its
    // one-tap run still transforms one 8192-sample partition per block, most of its work.
    const std::map<std::string, std::string> null_of{{"roomcal", "null: roomcal render --no-correction --no-meters"},
                                                     {"sox", "null: sox copy"},
                                                     {"ffmpeg", "null: ffmpeg copy"}};
    for (const auto& t : tools) {
        if (!t.usable || !null_of.count(t.family) || !fig.count(null_of.at(t.family))) continue;
        const Figure& n = fig[null_of.at(t.family)];
        const double steps = t.family == "sox" ? 2.0 : 1.0;  // two sox processes, each with its own start-up
        const double wall = fig[t.name].wall - steps * n.wall, cpu = fig[t.name].cpu - steps * n.cpu;
        std::cout << "less null run: " << t.name << ": wall " << fixed(wall, 3)
                  << " s = " << fixed(args.seconds / wall, 1) << "x real time, CPU " << fixed(cpu, 3)
                  << " s = " << fixed(args.seconds / cpu, 1) << "x real time\n";
    }

    // ---- the full chain
    std::string ours_chain;
    for (const auto& t : tools)
        if (t.family == "chain" && t.name.find("roomcal") != std::string::npos && !ours_chain.size())
            ours_chain = t.name;
    const std::string ff_chain = "chain: ffmpeg -af 8 x EQ + volume + alimiter";
    const std::string ff_full = "chain: ffmpeg afir + 8 x EQ + volume + alimiter + ebur128=peak=true";
    for (const auto& peer : {ff_chain, ff_full})
        if (fig.count(ours_chain) && fig.count(peer))
            std::cout << "ratio " << ours_chain << " / " << peer << ": throughput (peer wall / ours) "
                      << fixed(fig[peer].wall / fig[ours_chain].wall, 2) << ", CPU per sample (ours / peer) "
                      << fixed(fig[ours_chain].cpu / fig[peer].cpu, 2) << "\n";
    // Both chains' outputs through roomcal's meters (the last timed run's files).
    for (const auto& t : tools)
        if (t.family == "chain") {
            const Job j = t.job(f.in, args.dir / "chain-out");
            run_job(j, args.dir / "chain");
            std::cout << "chain output, " << t.name << ": " << metered(args.dir / "chain-out.wav") << "\n";
            const std::string log = read_text(args.dir / "chain-0.log");
            if (const auto at = log.find("output: "); at != std::string::npos)
                std::cout << "  roomcal's own summary: " << log.substr(at, log.find('\n', at) - at) << "\n";
        }

    // ---- acceptance
    // Render as it runs by default (meters on), and the same work as fconvolver's (meters off).
    for (const bool meters : {true, false}) {
        std::string best_ours;
        for (const auto& t : tools)
            if (t.family == "roomcal" && t.usable && (t.name.find("--no-meters") == std::string::npos) == meters &&
                (best_ours.empty() || fig[t.name].wall < fig[best_ours].wall))
                best_ours = t.name;
        if (best_ours.empty() || best_fconv.empty()) continue;
        const double ratio = fig[best_fconv].wall / fig[best_ours].wall;
        std::cout << "acceptance: render throughput >= fconvolver's (" << best_ours << " vs " << best_fconv
                  << ", wall): " << fixed(ratio, 2) << (ratio >= 1.0 ? " PASS" : " FAIL") << "\n";
    }
    if (fig.count(ours_chain)) {
        const double x_rt = args.seconds / fig[ours_chain].wall;
        std::cout << "acceptance: full chain >= 100x real time (" << ours_chain << ", wall): " << fixed(x_rt, 1) << "x"
                  << (x_rt >= 100.0 ? " PASS" : " FAIL") << "\n";
    }
    std::cout << "load average at the end: " << load_average() << "\n";
    return 0;
}
