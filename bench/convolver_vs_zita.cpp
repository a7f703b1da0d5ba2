// Zero-latency partitioned convolution against zita-convolver 4.0.3 (`Convproc`, Debian
// libzita-convolver-dev) in one process and one harness: stereo at 48 kHz, a different
// decaying-noise filter per channel (60 dB down at the last tap), N = 16384 and 65536
// taps, blocks B = 64, 256 and 1024, white-noise input. Both run without latency: ours by
// design, zita with minpart = quantum = B (its first level then runs in the caller).
//
// - Correctness before any timing: 4N samples of noise and the whole tail after them go
//   through each configuration block by block; the output is compared with a
//   double-precision FFT convolution of the same float input and taps (relative RMS error
//   over input + tail, over the tail alone, and the energy outside that span). A lag is
//   searched by cross-correlation when the unshifted error fails. A configuration worse
//   than 1e-6 is reported and not timed.
// - Throughput: 60 s of stereo input block by block, unpaced, at normal priority. CPU time
//   is the whole process's (CLOCK_PROCESS_CPUTIME_ID), so zita's own threads count; zita
//   runs process(true). Median of several runs, the tools interleaved run by run. Ours
//   runs in the caller's thread only, at max_partition 4096, 8192 and 16384. zita's
//   settings are screened first on 10 s of the same input (median of 5, interleaved, CPU
//   time): scalar or vector mode, FFTW estimate or measure, maxpart 1024-8192 and density
//   0.5 (its own choice for two diagonal paths) or 1; the three best are then timed in
//   full beside ours and the best of them is the reference. zita gets its first block
//   only once all its level threads run (see Zita::wait_for_level_threads).
// - Paced: 65536 taps at B = 64 and 256, one block per real-time period on absolute
//   clock_nanosleep deadlines (SCHED_FIFO and locked memory when permitted), after 2 s not
//   recorded. Each block's processing time is recorded; a block is late when its
//   processing ends after the period that follows its arrival, whether it took too long
//   or was woken late. zita runs process(false), so its levels compute in its own threads
//   and it reports lateness itself: its late and overload flags are counted as returned
//   (OPT_LATE_CONTIN keeps it running after an overload). At B = 64 the same loop runs
//   once without any convolution, as a control: its late blocks are the machine's
//   scheduling alone.
//
// Usage: bench_convolver_vs_zita [paced_seconds=60] [runs=5] [ours|worker]  (our paced runs only; worker: the
// engine's schedule alone)
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <zita-convolver.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "peer_io.hpp"
#include "roomcal/core/atomic_file.hpp"
#include "roomcal/dsp/fft.hpp"
#include "roomcal/dsp/partitioned_convolver.hpp"

using namespace roomcal;
namespace fs = std::filesystem;

namespace {

using bench::median;

constexpr double fs_hz = 48000.0;
constexpr double throughput_seconds = 60.0;
constexpr double screen_seconds = 10.0;
constexpr int screen_runs = 5;
constexpr std::size_t zita_finalists = 3;  // screened settings timed in full
constexpr double tolerance = 1e-6;         // relative RMS error (shared/specs/benchmarks.md)
constexpr std::size_t max_lag = 16384;     // how far a latency is searched, in samples
constexpr int rt_priority = 70;
constexpr double warmup_seconds = 2.0;
constexpr std::size_t paced_taps = 65536;
const std::vector<std::size_t> filter_lengths{16384, 65536};
const std::vector<std::size_t> block_sizes{64, 256, 1024};
const std::vector<std::size_t> our_max_partitions{4096, 8192, 16384};
constexpr std::size_t worker_max_partition = 4096;
const std::vector<std::size_t> paced_blocks{64, 256};

using Stereo = std::array<std::vector<float>, 2>;

volatile float sink = 0.0f;  // keeps every output alive whatever the optimiser proves

[[noreturn]] void fail(const std::string& message) {
    std::cerr << "bench_convolver_vs_zita: " << message << "\n";
    std::exit(1);
}

struct Clocks {
    double cpu = 0.0, wall = 0.0;
    double sys = 0.0;  // kernel share of cpu (getrusage): thread hand-offs show here
};

double clock_seconds(clockid_t id) {
    timespec t{};
    clock_gettime(id, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

Clocks clocks_now() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return {clock_seconds(CLOCK_PROCESS_CPUTIME_ID), clock_seconds(CLOCK_MONOTONIC),
            static_cast<double>(u.ru_stime.tv_sec) + 1e-6 * static_cast<double>(u.ru_stime.tv_usec)};
}

std::int64_t monotonic_ns() {
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return static_cast<std::int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
}

std::string load_average() {
    std::ifstream in("/proc/loadavg");
    std::string a, b, c;
    in >> a >> b >> c;
    return a + " " + b + " " + c;
}

std::vector<float> white_noise(std::size_t n, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> d(0.0f, 0.1f);
    std::vector<float> x(n);
    for (auto& v : x) v = d(rng);
    return x;
}

// Unit energy and 60 dB of decay over the filter, so every partition, the last included,
// carries weight in the error.
std::vector<float> decaying_noise(std::size_t n, std::uint32_t seed) {
    auto h = white_noise(n, seed);
    double energy = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        h[i] *= static_cast<float>(std::exp(-std::log(1000.0) * static_cast<double>(i) / static_cast<double>(n)));
        energy += static_cast<double>(h[i]) * h[i];
    }
    const auto scale = static_cast<float>(1.0 / std::sqrt(energy));
    for (auto& v : h) v *= scale;
    return h;
}

std::vector<double> to_double(const std::vector<float>& x) { return {x.begin(), x.end()}; }

// Full linear convolution in double, x.size() + h.size() - 1 samples.
std::vector<double> reference_convolution(const std::vector<float>& x, const std::vector<float>& h) {
    const std::size_t len = x.size() + h.size() - 1, n = dsp::next_fast_size(len);
    auto fx = dsp::rfft(to_double(x), n);
    const auto fh = dsp::rfft(to_double(h), n);
    for (std::size_t k = 0; k < fx.size(); ++k) fx[k] *= fh[k];
    auto y = dsp::irfft(fx, n);
    y.resize(len);
    return y;
}

// What the FFT wrapper loads before its first plan (src/dsp/src/fft.cpp).
std::string wisdom_state() {
    const fs::path p = user_cache_dir() / "fftw-wisdom-float";
    std::ifstream in(p);
    if (!in) return "none at " + p.string() + " (every plan measured in this process)";
    std::size_t bytes = 0, entries = 0;
    for (std::string line; std::getline(in, line);) {
        bytes += line.size() + 1;
        if (line.rfind("  (", 0) == 0) ++entries;
    }
    return p.string() + ", " + std::to_string(bytes) + " bytes, " + std::to_string(entries) +
           " plan entries, loaded before the first plan" +
           (entries == 0 ? " (empty: every plan measured in this process)" : "");
}

// roomcal: one PartitionedConvolver per channel, on the caller schedule (all its work inside
// process()) or the worker schedule (the head inside process(), later levels on one worker
// thread per channel, at `worker_priority` under SCHED_FIFO when permitted).
class Ours {
public:
    Ours(const Stereo& filters, std::size_t block, std::size_t max_partition,
         dsp::ConvolverSchedule schedule = dsp::ConvolverSchedule::caller, int worker_priority = 0)
        : block_(block), max_partition_(max_partition), schedule_(schedule) {
        for (std::size_t c = 0; c < 2; ++c)
            conv_[c].prepare(filters[c], {block, max_partition, dsp::PlanRigor::measure, schedule, worker_priority});
    }
    int process(const float* const* in, float* const* out) noexcept {
        conv_[0].process(in[0], out[0], block_);
        conv_[1].process(in[1], out[1], block_);
        return 0;
    }
    bool worker() const { return schedule_ == dsp::ConvolverSchedule::worker; }
    std::string name() const {
        return std::string("ours ") + (worker() ? "worker " : "") + "max_partition=" + std::to_string(max_partition_);
    }
    std::string layout() const {
        std::string s;
        for (const auto& l : conv_[0].layout()) s += std::to_string(l.size) + "x" + std::to_string(l.partitions) + " ";
        return s + (worker() ? "(partition x count), head in the caller, later levels on a worker thread per channel"
                             : "(partition x count), caller's thread only");
    }
    std::size_t max_partition() const { return max_partition_; }
    // Times the caller waited for a worker, jobs it took back from a worker that had not
    // started them in time, and whether the workers run under SCHED_FIFO.
    std::size_t late() const { return conv_[0].late() + conv_[1].late(); }
    std::size_t taken_back() const { return conv_[0].taken_back() + conv_[1].taken_back(); }
    bool realtime() const { return conv_[0].worker_realtime() && conv_[1].worker_realtime(); }

private:
    std::array<dsp::PartitionedConvolver, 2> conv_;
    std::size_t block_, max_partition_;
    dsp::ConvolverSchedule schedule_;
};

struct ZitaSetting {
    std::uint32_t options = 0;
    std::uint32_t maxpart = Convproc::MAXPART;
    float density = 0.0f;  // 0: zita's own choice, 1 / min(inputs, outputs) = 0.5 here
};

std::string describe(const ZitaSetting& s) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "%s+%s maxpart=%u density=%s",
                  (s.options & Convproc::OPT_VECTOR_MODE) ? "vector" : "scalar",
                  (s.options & Convproc::OPT_FFTW_MEASURE) ? "measure" : "estimate", s.maxpart,
                  s.density <= 0.0f ? "0.5(auto)" : "1");
    return buf;
}

std::vector<ZitaSetting> zita_settings(std::size_t block) {
    std::vector<ZitaSetting> out;
    for (std::uint32_t options : {0u, static_cast<std::uint32_t>(Convproc::OPT_VECTOR_MODE),
                                  static_cast<std::uint32_t>(Convproc::OPT_FFTW_MEASURE),
                                  static_cast<std::uint32_t>(Convproc::OPT_VECTOR_MODE | Convproc::OPT_FFTW_MEASURE)})
        for (std::uint32_t maxpart : {1024u, 2048u, 4096u, 8192u})
            if (maxpart >= block)
                for (float density : {0.0f, 1.0f}) out.push_back({options, maxpart, density});
    return out;
}

// The process's threads (ids in /proc/self/task).
std::set<std::string> task_ids() {
    std::set<std::string> ids;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/proc/self/task", ec)) ids.insert(entry.path().filename());
    return ids;
}

// A thread's scheduler state: 'R' running, 'S' sleeping..., '?' when it is gone.
char task_state(const std::string& id) {
    std::ifstream in("/proc/self/task/" + id + "/stat");
    std::string stat;
    std::getline(in, stat);
    const auto close = stat.rfind(')');
    return close != std::string::npos && close + 2 < stat.size() ? stat[close + 2] : '?';
}

// zita: one Convproc for both channels (input c to output c). With minpart = quantum its
// first level runs in the caller, every later level in a thread of its own.
class Zita {
public:
    Zita(const Stereo& filters, std::size_t block, const ZitaSetting& s, bool sync, int priority, int policy)
        : proc_(std::make_unique<Convproc>()), setting_(s), block_(block), sync_(sync) {
        const auto taps = static_cast<std::uint32_t>(filters[0].size());
        const auto b = static_cast<std::uint32_t>(block);
        proc_->set_options(s.options);
        if (const int rc = proc_->configure(2, 2, taps, b, b, s.maxpart, s.density))
            fail("zita Convproc::configure failed (" + std::to_string(rc) + ") for " + describe(s));
        for (std::uint32_t c = 0; c < 2; ++c) {
            std::vector<float> h = filters[c];  // impdata_create takes a non-const pointer
            if (const int rc = proc_->impdata_create(c, c, 1, h.data(), 0, static_cast<std::int32_t>(taps)))
                fail("zita Convproc::impdata_create failed (" + std::to_string(rc) + ")");
        }
        const auto before = task_ids();
        if (const int rc = proc_->start_process(priority, policy))
            fail("zita Convproc::start_process failed (" + std::to_string(rc) + ")");
        wait_for_level_threads(before);
    }
    int process(const float* const* in, float* const* out) noexcept {
        for (std::uint32_t c = 0; c < 2; ++c) std::memcpy(proc_->inpdata(c), in[c], block_ * sizeof(float));
        const int flags = proc_->process(sync_);
        for (std::uint32_t c = 0; c < 2; ++c) std::memcpy(out[c], proc_->outdata(c), block_ * sizeof(float));
        return flags;
    }
    bool running() const { return proc_->state() == Convproc::ST_PROC; }
    std::string name() const { return "zita " + describe(setting_); }
    const ZitaSetting& setting() const { return setting_; }
    std::string layout() const {
        std::string s;
        const auto levels = partitions();
        for (const auto& [size, count] : levels) s += std::to_string(size) + "x" + std::to_string(count) + " ";
        return s + "(partition x count), caller + " + std::to_string(levels.size() - 1) + " level threads";
    }

private:
    // Partition size and count per level, from Convproc::print.
    std::vector<std::pair<int, int>> partitions() const {
        char* text = nullptr;
        std::size_t size = 0;
        FILE* f = open_memstream(&text, &size);
        proc_->print(f);
        std::fclose(f);
        std::istringstream in(std::string(text, size));
        std::free(text);
        std::vector<std::pair<int, int>> levels;
        for (std::string line; std::getline(in, line);) {
            int prio = 0, offs = 0, parsize = 0, npar = 0;
            if (std::sscanf(line.c_str(), "prio = %d, offs = %d, parsize = %d, npar = %d", &prio, &offs, &parsize,
                            &npar) == 4)
                levels.emplace_back(parsize, npar);
        }
        return levels;
    }

    // Debian's zita-convolver 4.0.3 counts a level as threaded only once its thread runs
    // (Convlevel::main sets _stat, start() does not); a period that comes before is computed
    // in the caller instead, and the switch misaligns that level's output for its first
    // periods (relative errors of 0.1-1 on a loaded machine). Real hosts start processing
    // long after start_process(); here the first block waits until every level thread
    // sleeps on its semaphore. A thread the system refused never comes: that fails.
    void wait_for_level_threads(const std::set<std::string>& before) const {
        const std::size_t threads = partitions().size() - 1;  // level 0 runs in the caller
        for (int i = 0; i < 10000; ++i) {
            std::size_t fresh = 0, sleeping = 0;
            for (const auto& id : task_ids())
                if (!before.count(id)) ++fresh, sleeping += task_state(id) == 'S';
            if (fresh >= threads && sleeping >= threads) return;
            usleep(1000);
        }
        fail("zita's " + std::to_string(threads) + " level threads did not start within 10 s");
    }

    std::unique_ptr<Convproc> proc_;
    ZitaSetting setting_;
    std::size_t block_;
    bool sync_;
};

// The check signal of one filter length: 4N samples of noise per channel and the exact
// output, input plus tail.
struct CheckSignal {
    Stereo x;
    std::array<std::vector<double>, 2> reference;
};

CheckSignal check_signal(const Stereo& filters) {
    CheckSignal s;
    for (std::size_t c = 0; c < 2; ++c) {
        s.x[c] = white_noise(4 * filters[c].size(), 100 + static_cast<std::uint32_t>(c));
        s.reference[c] = reference_convolution(s.x[c], filters[c]);
    }
    return s;
}

struct Accuracy {
    double error = 0.0;    // relative RMS over input + tail, worse channel
    double tail = 0.0;     // the same over the tail alone
    double outside = 0.0;  // output energy outside input + tail, relative to the reference's
    long lag = 0;          // output sample n + lag matched reference sample n
    bool ok = false;
};

Accuracy compare(const Stereo& out, const CheckSignal& s, long lag) {
    Accuracy a;
    a.lag = lag;
    for (std::size_t c = 0; c < 2; ++c) {
        const auto& ref = s.reference[c];
        const auto& y = out[c];
        const std::size_t tail_from = s.x[c].size();
        double num = 0, den = 0, tail_num = 0, tail_den = 0, inside = 0, total = 0;
        for (std::size_t n = 0; n < ref.size(); ++n) {
            const long m = static_cast<long>(n) + lag;
            const double o = m >= 0 && m < static_cast<long>(y.size()) ? y[static_cast<std::size_t>(m)] : 0.0;
            const double d = o - ref[n];
            num += d * d, den += ref[n] * ref[n], inside += o * o;
            if (n >= tail_from) tail_num += d * d, tail_den += ref[n] * ref[n];
        }
        for (float v : y) total += static_cast<double>(v) * v;
        a.error = std::max(a.error, std::sqrt(num / den));
        a.tail = std::max(a.tail, std::sqrt(tail_num / tail_den));
        a.outside = std::max(a.outside, std::max(0.0, total - inside) / den);
    }
    return a;
}

// The lag (within ±max_lag) at which channel 0's output best matches the reference.
long find_lag(const Stereo& out, const CheckSignal& s) {
    const auto& ref = s.reference[0];
    const std::size_t n = dsp::next_fast_size(out[0].size() + ref.size());
    auto fy = dsp::rfft(to_double(out[0]), n);
    const auto fr = dsp::rfft(ref, n);
    for (std::size_t k = 0; k < fy.size(); ++k) fy[k] *= std::conj(fr[k]);
    const auto xc = dsp::irfft(fy, n);
    long best = 0;
    double best_v = -1.0;
    for (long k = -static_cast<long>(max_lag); k <= static_cast<long>(max_lag); ++k) {
        const double v = std::abs(xc[static_cast<std::size_t>((k + static_cast<long>(n)) % static_cast<long>(n))]);
        if (v > best_v) best_v = v, best = k;
    }
    return best;
}

template <typename Engine>
Accuracy check(Engine& e, const CheckSignal& s, std::size_t block) {
    const std::size_t len = s.reference[0].size() + max_lag, total = (len + block - 1) / block * block;
    Stereo in, out;
    for (std::size_t c = 0; c < 2; ++c) {
        in[c] = s.x[c];
        in[c].resize(total, 0.0f);
        out[c].assign(total, 0.0f);
    }
    for (std::size_t pos = 0; pos < total; pos += block) {
        const float* i[2] = {in[0].data() + pos, in[1].data() + pos};
        float* o[2] = {out[0].data() + pos, out[1].data() + pos};
        e.process(i, o);
    }
    Accuracy a = compare(out, s, 0);
    if (!(a.error <= tolerance)) a = compare(out, s, find_lag(out, s));
    a.ok = a.error <= tolerance;
    return a;
}

std::string describe(const Accuracy& a, std::size_t taps) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "rel RMS error %.2e (input + %zu-sample tail), tail alone %.2e, energy outside %.1e, lag %ld "
                  "samples: %s",
                  a.error, taps - 1, a.tail, a.outside, a.lag, a.ok ? "ok" : "WRONG, not timed");
    return buf;
}

// Engine time of the whole input, block by block, as fast as it goes.
template <typename Engine>
Clocks time_unpaced(Engine& e, const Stereo& x, std::size_t block, std::size_t frames) {
    std::vector<float> o0(block), o1(block);
    float* out[2] = {o0.data(), o1.data()};
    float acc = 0.0f;
    const Clocks t0 = clocks_now();
    for (std::size_t pos = 0; pos + block <= frames; pos += block) {
        const float* in[2] = {x[0].data() + pos, x[1].data() + pos};
        e.process(in, out);
        acc += o0[0] + o1[block - 1];
    }
    const Clocks t1 = clocks_now();
    sink = sink + acc;
    return {t1.cpu - t0.cpu, t1.wall - t0.wall, t1.sys - t0.sys};
}

struct Timing {
    std::string name, layout;
    std::vector<double> cpu, wall, sys;
    double cpu_median() const { return median(cpu); }
    double cpu_fastest() const { return *std::min_element(cpu.begin(), cpu.end()); }
    double wall_median() const { return median(wall); }
};

// Both medians as multiples of real time.
std::string speed(const Timing& t, double audio_seconds) {
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "CPU %.3f s = %.1fx real time (kernel %.0f%%; fastest run %.1fx), wall %.3f s = %.1fx real time",
                  t.cpu_median(), audio_seconds / t.cpu_median(), 100 * median(t.sys) / t.cpu_median(),
                  audio_seconds / t.cpu_fastest(), t.wall_median(), audio_seconds / t.wall_median());
    return buf;
}

struct ThroughputResult {
    std::size_t best_max_partition = 0;
    double ours_cpu_rt = 0, ours_wall_rt = 0, zita_cpu_rt = 0, zita_wall_rt = 0, ratio = 0;
    double ratio_fastest = 0;  // the fastest run of each: zita's hand-offs to its threads vary most
    double worker_cpu_rt = 0, worker_wall_rt = 0, worker_ratio = 0;  // ours on the worker schedule
    ZitaSetting zita;
};

// Blocks of the paced run after the warm-up.
struct Paced {
    std::vector<double> block_s, wake_s;
    std::size_t late = 0, late_processing = 0, flagged = 0, overloads = 0;
    double cpu_load = 0.0;
    bool stopped = false;
};

template <typename Engine>
Paced run_paced(Engine& e, const Stereo& x, std::size_t block, double seconds) {
    const std::size_t warm = static_cast<std::size_t>(warmup_seconds * fs_hz) / block;
    const std::size_t count = static_cast<std::size_t>(seconds * fs_hz) / block;
    const std::size_t loop = x[0].size() / block;
    Paced p;
    p.block_s.reserve(count);
    p.wake_s.reserve(count);
    std::vector<float> o0(block), o1(block);
    float* out[2] = {o0.data(), o1.data()};
    // Block k arrives at t0 + k·B/fs and is due one period later; exact in integer ns.
    const auto arrival = [&](std::size_t k) {
        return static_cast<std::int64_t>(k * block * 1000000000ull / static_cast<std::uint64_t>(fs_hz));
    };
    const std::int64_t t0 = monotonic_ns() + 10000000;
    Clocks c0;
    for (std::size_t k = 0; k < warm + count; ++k) {
        if (k == warm) c0 = clocks_now();
        const std::int64_t wake = t0 + arrival(k);
        const timespec ts{static_cast<time_t>(wake / 1000000000), static_cast<long>(wake % 1000000000)};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
        }
        const std::int64_t start = monotonic_ns();
        const std::size_t pos = (k % loop) * block;
        const float* in[2] = {x[0].data() + pos, x[1].data() + pos};
        const int flags = e.process(in, out);
        const std::int64_t end = monotonic_ns();
        if (k < warm) continue;
        p.block_s.push_back(1e-9 * static_cast<double>(end - start));
        p.wake_s.push_back(1e-9 * static_cast<double>(start - wake));
        if (end > t0 + arrival(k + 1)) ++p.late;
        if (end - start > arrival(k + 1) - arrival(k)) ++p.late_processing;
        if (flags & Convproc::FL_LATE) ++p.flagged;
        if (flags & Convproc::FL_LOAD) ++p.overloads;
    }
    const Clocks c1 = clocks_now();
    p.cpu_load = (c1.cpu - c0.cpu) / (c1.wall - c0.wall);
    if constexpr (requires { e.running(); }) p.stopped = !e.running();
    sink = sink + o0[0] + o1[0];
    return p;
}

double percentile(std::vector<double> v, double q) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

// SCHED_FIFO for the paced loop (and zita's threads) when the system allows it. Probed as
// zita creates its threads (explicit FIFO attributes), since a refused thread would leave
// a zita level without its worker.
bool enter_fifo() {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    sched_param prio{};
    prio.sched_priority = rt_priority - 1;
    pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
    pthread_attr_setschedparam(&attr, &prio);
    pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
    pthread_t t;
    const int rc = pthread_create(
        &t, &attr, [](void*) -> void* { return nullptr; }, nullptr);
    pthread_attr_destroy(&attr);
    if (rc != 0) return false;
    pthread_join(t, nullptr);
    sched_param self{};
    self.sched_priority = rt_priority;
    return pthread_setschedparam(pthread_self(), SCHED_FIFO, &self) == 0;
}

void leave_fifo() {
    sched_param normal{};
    pthread_setschedparam(pthread_self(), SCHED_OTHER, &normal);
}

// The paced loop's control: no convolution, so its late blocks are the scheduler's alone.
struct Idle {
    std::size_t block;
    int process(const float* const* in, float* const* out) noexcept {
        for (std::size_t c = 0; c < 2; ++c) std::memcpy(out[c], in[c], block * sizeof(float));
        return 0;
    }
};

struct PacedRow {
    std::size_t block = 0;
    std::string tool;
    Paced p;
};

}  // namespace

int main(int argc, char** argv) {
    const double paced_seconds = argc > 1 ? std::max(1.0, std::atof(argv[1])) : 60.0;
    const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
    // "ours": only our paced runs (both schedules, max_partition 4096) and the control, for
    // long deadline runs without the throughput tables and zita.
    const bool ours_only = argc > 3 && (std::string(argv[3]) == "ours" || std::string(argv[3]) == "worker");
    // "worker": the same, the worker schedule alone (the engine's), for the long deadline run.
    const bool worker_only = argc > 3 && std::string(argv[3]) == "worker";
    std::string command = "bench_convolver_vs_zita";
    for (int i = 1; i < argc; ++i) command += std::string(" ") + argv[i];
    const char* t = "convolver-vs-zita";

    std::printf("%s command: %s (paced %.0f s, %d runs)\n", t, command.c_str(), paced_seconds, runs);
    std::printf("%s machine: %u CPUs, load average %s\n", t, std::thread::hardware_concurrency(),
                load_average().c_str());
    std::printf("%s peer: zita-convolver %d.%d (libzita-convolver), minpart = quantum = block: zero latency\n", t,
                zita_convolver_major_version(), zita_convolver_minor_version());
    std::printf("%s FFTW wisdom (float): %s\n", t, wisdom_state().c_str());
    std::printf(
        "%s input: stereo white noise (Gaussian, RMS 0.1), 48 kHz; filters: decaying Gaussian noise, 60 dB down at "
        "the last tap, unit energy, a different one per channel; ours: PlanRigor::measure\n",
        t);
    std::fflush(stdout);

    const std::size_t frames = static_cast<std::size_t>(throughput_seconds * fs_hz);
    const Stereo input{white_noise(frames, 1), white_noise(frames, 2)};
    std::map<std::pair<std::size_t, std::size_t>, ThroughputResult> results;

    for (std::size_t taps : ours_only ? std::vector<std::size_t>{} : filter_lengths) {
        const Stereo filters{decaying_noise(taps, 10 + static_cast<std::uint32_t>(taps)),
                             decaying_noise(taps, 20 + static_cast<std::uint32_t>(taps))};
        const CheckSignal signal = check_signal(filters);
        for (std::size_t block : block_sizes) {
            char tag_buf[96];
            std::snprintf(tag_buf, sizeof tag_buf, "%s N=%zu B=%zu", t, taps, block);
            const char* tag = tag_buf;
            std::printf("%s load average %s\n", tag, load_average().c_str());

            // Our partitions first, so the wrapper's wisdom is in FFTW before zita plans.
            std::vector<std::unique_ptr<Ours>> ours;
            for (std::size_t mp : our_max_partitions) {
                auto e = std::make_unique<Ours>(filters, block, mp);
                const Accuracy a = check(*e, signal, block);
                std::printf("%s check %s: %s\n", tag, e->name().c_str(), describe(a, taps).c_str());
                if (a.ok && a.lag == 0) ours.push_back(std::move(e));
            }
            {
                auto e = std::make_unique<Ours>(filters, block, worker_max_partition, dsp::ConvolverSchedule::worker);
                const Accuracy a = check(*e, signal, block);
                std::printf("%s check %s: %s\n", tag, e->name().c_str(), describe(a, taps).c_str());
                if (a.ok && a.lag == 0) ours.push_back(std::move(e));
            }

            // zita's best setting, by CPU time on the first 10 s. Density only moves level
            // boundaries, so a setting whose layout and options repeat another's is the same
            // engine and is not timed twice; the candidates run interleaved.
            const std::size_t screen_frames = static_cast<std::size_t>(screen_seconds * fs_hz);
            struct Candidate {
                ZitaSetting setting;
                std::string settings, layout;  // every maxpart/density giving this layout
                std::unique_ptr<Zita> zita;    // null when wrong
                std::vector<double> cpu;
                Accuracy accuracy;
            };
            std::vector<Candidate> candidates;
            for (const auto& s : zita_settings(block)) {
                auto z = std::make_unique<Zita>(filters, block, s, true, 0, SCHED_OTHER);
                const std::string setting = std::to_string(s.maxpart) + "/" + (s.density <= 0.0f ? "0.5" : "1");
                const auto same = std::find_if(candidates.begin(), candidates.end(), [&](const Candidate& c) {
                    return c.setting.options == s.options && c.layout == z->layout();
                });
                if (same != candidates.end()) {
                    same->settings += "," + setting;
                    continue;
                }
                const Accuracy a = check(*z, signal, block);
                if (!a.ok) std::printf("%s check %s: %s\n", tag, z->name().c_str(), describe(a, taps).c_str());
                const std::string layout = z->layout();
                candidates.push_back({s, setting, layout, a.ok ? std::move(z) : nullptr, {}, a});
            }
            for (int r = 0; r < screen_runs; ++r)
                for (auto& c : candidates)
                    if (c.zita) c.cpu.push_back(time_unpaced(*c.zita, input, block, screen_frames).cpu);
            std::map<std::uint32_t, std::string> screened;  // by options
            std::vector<std::pair<double, ZitaSetting>> ranked;
            for (const auto& c : candidates) {
                std::string& line = screened[c.setting.options];
                char buf[256];
                const double cpu = median(c.cpu);
                if (c.zita)
                    std::snprintf(buf, sizeof buf, "%smaxpart/density %s [%s] %.0fx (error %.1e, tail %.1e, lag %ld)",
                                  line.empty() ? "" : "; ", c.settings.c_str(),
                                  c.layout.substr(0, c.layout.find(" (")).c_str(), screen_seconds / cpu,
                                  c.accuracy.error, c.accuracy.tail, c.accuracy.lag);
                else
                    std::snprintf(buf, sizeof buf, "%smaxpart/density %s WRONG", line.empty() ? "" : "; ",
                                  c.settings.c_str());
                line += buf;
                if (c.zita) ranked.emplace_back(cpu, c.setting);
            }
            candidates.clear();
            for (const auto& [options, line] : screened) {
                ZitaSetting probe;
                probe.options = options;
                const std::string mode = describe(probe).substr(0, describe(probe).find(' '));
                std::printf("%s zita screen %s, CPU x real time on %.0f s (median of %d, each checked first): %s\n",
                            tag, mode.c_str(), screen_seconds, screen_runs, line.c_str());
            }
            // A level only twice the block hands work to a thread every other block, and an
            // unpaced caller then waits on it almost every time: such layouts swing by 5-10x
            // with the machine's load. So the three best of the screen are timed in full.
            std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
            if (ranked.size() > zita_finalists) ranked.resize(zita_finalists);
            std::vector<std::unique_ptr<Zita>> zitas;
            for (const auto& [cpu, setting] : ranked) {
                auto z = std::make_unique<Zita>(filters, block, setting, true, 0, SCHED_OTHER);
                const Accuracy a = check(*z, signal, block);
                std::printf("%s check %s (finalist, fresh instance): %s\n", tag, z->name().c_str(),
                            describe(a, taps).c_str());
                if (a.ok) zitas.push_back(std::move(z));
            }
            if (zitas.empty() || ours.empty()) {
                std::printf("%s not timed: no correct configuration for %s\n", tag, zitas.empty() ? "zita" : "ours");
                continue;
            }

            // Interleaved run by run, so drift in the machine's load falls on every tool alike.
            std::vector<Timing> timings;
            for (const auto& e : ours) timings.push_back({e->name(), e->layout(), {}, {}, {}});
            for (const auto& z : zitas) timings.push_back({z->name(), z->layout(), {}, {}, {}});
            const auto record = [](Timing& timing, const Clocks& c) {
                timing.cpu.push_back(c.cpu);
                timing.wall.push_back(c.wall);
                timing.sys.push_back(c.sys);
            };
            for (int r = 0; r < runs; ++r) {
                for (std::size_t i = 0; i < ours.size(); ++i)
                    record(timings[i], time_unpaced(*ours[i], input, block, frames));
                for (std::size_t i = 0; i < zitas.size(); ++i)
                    record(timings[ours.size() + i], time_unpaced(*zitas[i], input, block, frames));
            }
            const double audio = static_cast<double>(frames / block * block) / fs_hz;
            std::size_t best_z = ours.size();
            for (std::size_t i = ours.size(); i < timings.size(); ++i) {
                std::printf("%s %s (process(true), normal priority): %s; layout %s\n", tag, timings[i].name.c_str(),
                            speed(timings[i], audio).c_str(), timings[i].layout.c_str());
                if (timings[i].cpu_median() < timings[best_z].cpu_median()) best_z = i;
            }
            const Timing& z = timings[best_z];
            std::size_t best_i = 0;
            ThroughputResult res;
            for (std::size_t i = 0; i < ours.size(); ++i) {
                std::printf("%s %s: %s; ratio ours/best zita CPU per sample %.3f, wall %.3f; layout %s\n", tag,
                            timings[i].name.c_str(), speed(timings[i], audio).c_str(),
                            timings[i].cpu_median() / z.cpu_median(), timings[i].wall_median() / z.wall_median(),
                            timings[i].layout.c_str());
                if (ours[i]->worker()) {
                    res.worker_cpu_rt = audio / timings[i].cpu_median();
                    res.worker_wall_rt = audio / timings[i].wall_median();
                    res.worker_ratio = timings[i].cpu_median() / z.cpu_median();
                } else if (timings[i].cpu_median() < timings[best_i].cpu_median()) {
                    best_i = i;
                }
            }
            const Timing& o = timings[best_i];
            res.best_max_partition = ours[best_i]->max_partition();
            res.ours_cpu_rt = audio / o.cpu_median();
            res.ours_wall_rt = audio / o.wall_median();
            res.zita_cpu_rt = audio / z.cpu_median();
            res.zita_wall_rt = audio / z.wall_median();
            res.ratio = o.cpu_median() / z.cpu_median();
            res.ratio_fastest = o.cpu_fastest() / z.cpu_fastest();
            res.zita = zitas[best_z - ours.size()]->setting();
            results[{taps, block}] = res;
            std::printf(
                "%s best: ours max_partition=%zu %.1fx, zita %s %.1fx (CPU x real time, %.0f s stereo, median of %d); "
                "ratio ours/zita CPU per sample %.3f (fastest runs: %.3f)\n",
                tag, res.best_max_partition, res.ours_cpu_rt, describe(res.zita).c_str(), res.zita_cpu_rt,
                throughput_seconds, runs, res.ratio, res.ratio_fastest);
            std::fflush(stdout);
        }
    }

    // Paced runs: 10 s of the input, looped.
    const std::size_t loop_frames = static_cast<std::size_t>(10.0 * fs_hz);
    const Stereo loop{std::vector<float>(input[0].begin(), input[0].begin() + static_cast<long>(loop_frames)),
                      std::vector<float>(input[1].begin(), input[1].begin() + static_cast<long>(loop_frames))};
    const bool fifo = enter_fifo();
    const bool locked = mlockall(MCL_CURRENT | MCL_FUTURE) == 0;
    const int policy = fifo ? SCHED_FIFO : SCHED_OTHER;
    const int priority = fifo ? rt_priority : 0;
    std::printf("%s paced: %s, memory %s, %.0f s per run after %.0f s not recorded, load average %s\n", t,
                fifo ? "SCHED_FIFO priority 70 (zita's level threads: 70 + its relative priorities)"
                     : "normal priority (SCHED_FIFO not permitted)",
                locked ? "locked (mlockall)" : "not locked", paced_seconds, warmup_seconds, load_average().c_str());
    std::vector<PacedRow> paced_rows;
    {
        const Stereo filters{decaying_noise(paced_taps, 10 + static_cast<std::uint32_t>(paced_taps)),
                             decaying_noise(paced_taps, 20 + static_cast<std::uint32_t>(paced_taps))};
        for (std::size_t block : paced_blocks) {
            ThroughputResult res;
            res.best_max_partition = worker_max_partition;
            if (!ours_only) {
                const auto it = results.find({paced_taps, block});
                if (it == results.end()) {
                    std::printf("%s paced B=%zu skipped: no correct configuration\n", t, block);
                    continue;
                }
                res = it->second;
            }
            const double period = static_cast<double>(block) / fs_hz;
            const auto report = [&](const std::string& tool, const Paced& p, const std::string& extra) {
                std::printf(
                    "%s paced N=%zu B=%zu %s: period %.1f us; block time p50 %.1f%%, p99 %.1f%%, p99.9 %.1f%%, max "
                    "%.1f%% of the period; late blocks %zu of %zu (%zu of them processed longer than a period, the "
                    "rest woken late); wake-up latency p50 %.0f us, p99 %.0f us, max %.0f us; process CPU %.1f%% of "
                    "one core%s\n",
                    t, paced_taps, block, tool.c_str(), 1e6 * period, 100 * percentile(p.block_s, 0.5) / period,
                    100 * percentile(p.block_s, 0.99) / period, 100 * percentile(p.block_s, 0.999) / period,
                    100 * percentile(p.block_s, 1.0) / period, p.late, p.block_s.size(), p.late_processing,
                    1e6 * percentile(p.wake_s, 0.5), 1e6 * percentile(p.wake_s, 0.99), 1e6 * percentile(p.wake_s, 1.0),
                    100 * p.cpu_load, extra.c_str());
                std::fflush(stdout);
            };
            if (block == paced_blocks.front()) {
                Idle e{block};
                const Paced p = run_paced(e, loop, block, paced_seconds);
                report("control, no convolution (input copied to output)", p, "");
                paced_rows.push_back({block, "control: the loop alone", p});
            }
            if (!worker_only) {
                Ours e(filters, block, res.best_max_partition);
                const Paced p = run_paced(e, loop, block, paced_seconds);
                report(e.name(), p, "");
                paced_rows.push_back({block, "roomcal, max_partition " + std::to_string(res.best_max_partition), p});
            }
            {
                Ours e(filters, block, worker_max_partition, dsp::ConvolverSchedule::worker,
                       fifo ? rt_priority - 1 : 0);
                const Paced p = run_paced(e, loop, block, paced_seconds);
                char extra[200];
                std::snprintf(extra, sizeof extra, "; waited for a worker %zu times, took %zu jobs back; workers %s",
                              e.late(), e.taken_back(), e.realtime() ? "SCHED_FIFO 69" : "at normal priority");
                report(e.name(), p, extra);
                paced_rows.push_back({block,
                                      "roomcal worker schedule, max_partition " + std::to_string(worker_max_partition) +
                                          " (waited " + std::to_string(e.late()) + ", took back " +
                                          std::to_string(e.taken_back()) + ")",
                                      p});
            }
            if (!ours_only) {
                ZitaSetting s = res.zita;
                s.options |= Convproc::OPT_LATE_CONTIN;
                Zita z(filters, block, s, false, priority, policy);
                const Paced p = run_paced(z, loop, block, paced_seconds);
                char extra[200];
                std::snprintf(extra, sizeof extra,
                              "; process(false): block time is the caller's share; zita's late flags %zu blocks, "
                              "overload flags %zu, %s",
                              p.flagged, p.overloads, p.stopped ? "STOPPED itself" : "still running at the end");
                report(z.name(), p, extra);
                paced_rows.push_back({block, "zita " + describe(res.zita), p});
            }
        }
    }
    if (locked) munlockall();
    if (fifo) leave_fifo();

    std::printf("%s FFTW wisdom saved for later runs: %s; load average at the end %s\n", t,
                dsp::save_wisdom() ? "yes" : "no (cache folder not writable)", load_average().c_str());
    std::printf("%s table (docs/PERFORMANCE.md):\n\n", t);
    std::printf(
        "| filter, block | roomcal CPU × real time (best max_partition) | zita CPU × real time (best setting) | CPU "
        "per sample roomcal / zita (fastest runs) | wall × real time roomcal / zita | roomcal worker schedule: CPU × "
        "real time, CPU ratio to zita, wall × real time |\n|---|---|---|---|---|---|\n");
    for (const auto& [key, r] : results)
        std::printf(
            "| %zu taps, B=%zu | %.1f× (%zu) | %.1f× (%s) | %.2f (%.2f) | %.1f× / %.1f× | %.1f×, %.2f, %.1f× |\n",
            key.first, key.second, r.ours_cpu_rt, r.best_max_partition, r.zita_cpu_rt, describe(r.zita).c_str(),
            r.ratio, r.ratio_fastest, r.ours_wall_rt, r.zita_wall_rt, r.worker_cpu_rt, r.worker_ratio,
            r.worker_wall_rt);
    std::printf(
        "\n| paced, %zu taps, %.0f s | tool | block time p50 / p99 / max (%% of period) | late blocks (of them "
        "processed > period) | wake-up latency p99 / max | zita late / overload flags | process CPU |\n"
        "|---|---|---|---|---|---|---|\n",
        paced_taps, paced_seconds);
    for (const auto& row : paced_rows) {
        const double period = static_cast<double>(row.block) / fs_hz;
        const bool zita_row = row.tool.rfind("zita", 0) == 0;
        char flags[64];
        if (zita_row)
            std::snprintf(flags, sizeof flags, "%zu / %zu", row.p.flagged, row.p.overloads);
        else
            std::snprintf(flags, sizeof flags, "n/a");
        std::printf("| B=%zu | %s | %.1f / %.1f / %.1f | %zu of %zu (%zu) | %.0f / %.0f µs | %s | %.1f %% |\n",
                    row.block, row.tool.c_str(), 100 * percentile(row.p.block_s, 0.5) / period,
                    100 * percentile(row.p.block_s, 0.99) / period, 100 * percentile(row.p.block_s, 1.0) / period,
                    row.p.late, row.p.block_s.size(), row.p.late_processing, 1e6 * percentile(row.p.wake_s, 0.99),
                    1e6 * percentile(row.p.wake_s, 1.0), flags, 100 * row.p.cpu_load);
    }
    std::printf("\n");
    return 0;
}
