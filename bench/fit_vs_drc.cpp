// Correction fitting against DRC (Debian `drc`, its stock normal-48.0.drc configuration
// with the flat "pa" target): for each built-in virtual room and channel, at 48 kHz, on
// the room's true impulse responses.
//
// - DRC gets the listening position's impulse response (position 1) as raw 32-bit
//   float, the only input it takes (after 65536 zeros, so its 131072-sample initial
//   window centred on the peak lies inside the file); roomcal fits positions 1-5 (FIR
//   minimum phase, FIR mixed phase, 10 parametric filters over 20-300 Hz) and, for
//   like-for-like columns, position 1 alone and DRC's own target (flat to 20 Hz, where
//   roomcal by default rolls its target off with the loudspeaker).
// - Each filter is graded at the held-out positions 6-9 (mean of the per-position
//   figures) and at position 1: corrected magnitude = measured + filter magnitude (dB),
//   third-octave deviations over 30 Hz-16 kHz with their mean removed (level is not a
//   deviation). Metric A takes the SD after removing the least-squares straight line in
//   log2(frequency), so each tool's own target tilt does not count; metric B takes it
//   against a flat target as is. As a check of the method, DRC's own test convolution
//   (its filter applied to its input) is graded from its impulse response too.
// - Pre-ringing: the position-1 impulse response convolved with each filter (FFT);
//   energy ending more than 1 ms before the peak of that corrected response, relative to
//   its whole energy, in dB. The same for the filter alone, about its own peak.
// - Fit time: wall time of a whole process reading the impulse response files and
//   writing the filter (drc, or this program re-run as a fitting child), median of
//   several runs; also fit_room's own time inside that process (cold) and repeated in
//   this one (warm). Peak memory: each process's maximum resident set as /usr/bin/time
//   reports it (%M), taken the same way for both tools.
//
// Usage: bench_fit_vs_drc [runs=3] [channels=L,R]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <complex>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "peer_io.hpp"
#include "roomcal/core/filter_set.hpp"
#include "roomcal/core/room.hpp"
#include "roomcal/correct/fir_design.hpp"
#include "roomcal/correct/fit.hpp"
#include "roomcal/correct/predict.hpp"
#include "roomcal/correct/room_data.hpp"
#include "roomcal/dsp/fft.hpp"
#include "roomcal/dsp/filter_render.hpp"
#include "roomcal/measure/response.hpp"
#include "roomcal/measure/virtual_room.hpp"

using namespace roomcal;
using namespace roomcal::correct;
namespace fs = std::filesystem;

namespace {

using bench::median;
using bench::read_raw_float;
using bench::write_raw_float;

constexpr double fs_hz = 48000.0;
constexpr std::size_t ir_length = 131072;  // normal-48.0.drc's BCInitWindow
constexpr int fit_positions = 5;           // positions 1..5 fitted, 6..9 held out
const std::vector<int> held_out{6, 7, 8, 9};
const fs::path drc_config = "/usr/share/drc/config/48.0 kHz/normal-48.0.drc";
const fs::path drc_target = "/usr/share/drc/target/48.0 kHz/pa-48.0.txt";

std::string read_text(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// The fits compared. `positions` counts from 1.
struct Variant {
    std::string name;
    FitMode mode;
    FirPhase phase;
    int positions;
    double low_hz = 0.0;  // the target's low roll-off; 0: found from the data (the default)
};

const std::vector<Variant> variants{
    {"ours", FitMode::fir, FirPhase::minimum, fit_positions},
    {"ours-flat20", FitMode::fir, FirPhase::minimum, fit_positions, 20.0},
    {"ours-1pos", FitMode::fir, FirPhase::minimum, 1},
    {"ours-mixed", FitMode::fir, FirPhase::mixed, fit_positions},
    {"ours-peq", FitMode::parametric, FirPhase::minimum, fit_positions},
};

FitOptions options_for(FitMode mode, FirPhase phase, int positions, double low_hz) {
    FitOptions o;
    if (low_hz > 0.0) {
        TargetCurve flat;
        flat.low_limit = Hz(low_hz);
        o.targets["*"] = flat;
    }
    o.mode = mode;
    o.phase = phase;
    o.rates = {fs_hz};
    for (int p = 1; p <= positions; ++p) o.positions.push_back(p);
    if (mode == FitMode::parametric) {
        o.peq.filters = 10;
        o.peq.low = Hz(20.0);
        o.peq.high = Hz(300.0);
    }
    return o;
}

// The names mode_name() and phase_name() give, back; exits on anything else.
FitMode parse_mode(const std::string& s) {
    for (FitMode m : {FitMode::parametric, FitMode::fir, FitMode::mixed})
        if (s == mode_name(m)) return m;
    std::cerr << "bench_fit_vs_drc: unknown fit mode " << s << "\n";
    std::exit(2);
}
FirPhase parse_phase(const std::string& s) {
    for (FirPhase p : {FirPhase::minimum, FirPhase::linear, FirPhase::mixed})
        if (s == phase_name(p)) return p;
    std::cerr << "bench_fit_vs_drc: unknown FIR phase " << s << "\n";
    std::exit(2);
}

// The fitting child: reads ir-<p>.f32 and ref-<p>.txt (direct-sound sample) for
// positions 1..n from `dir`, fits, writes the FIR (if any) to ours.f32 and prints
// fit_room's seconds. What is timed from outside is this whole process.
int fit_child(const fs::path& dir, const std::string& mode, const std::string& phase, int n, double low_hz) {
    Room room;
    room.name = "bench";
    for (int p = 1; p <= n; ++p) {
        Measurement m;
        m.position = p;
        m.impulse_response.samples = read_raw_float(dir / ("ir-" + std::to_string(p) + ".f32"));
        m.impulse_response.sample_rate = Hz(fs_hz);
        m.impulse_response.reference_sample = std::stod(read_text(dir / ("ref-" + std::to_string(p) + ".txt")));
        m.delay_samples = m.impulse_response.reference_sample;
        m.timing = "loopback";
        room.channel("L").put(std::move(m));
    }
    const auto res = fit_room(room, options_for(parse_mode(mode), parse_phase(phase), n, low_hz));
    const auto& f = res.sets.front().channels.front();
    if (!f.fir.empty()) write_raw_float(dir / "ours.f32", f.fir);
    std::printf("%.6f\n", res.seconds);
    return 0;
}

// Runs `command` in `dir` under /usr/bin/time; returns wall seconds and the peak resident
// set (kB) of the command itself (not of this process, whose memory a forked child would
// inherit in its count).
struct ProcessCost {
    double seconds = 0.0;
    double max_rss_kb = 0.0;
};

ProcessCost run_timed(const fs::path& dir, const std::string& command) {
    const std::string full =
        "cd '" + dir.string() + "' && /usr/bin/time -f %M -o time.txt " + command + " >stdout.txt 2>stderr.txt";
    const auto t0 = std::chrono::steady_clock::now();
    const int rc = std::system(full.c_str());
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (rc != 0) {
        std::cerr << "bench_fit_vs_drc: command failed in " << dir << ": " << command << "\n"
                  << read_text(dir / "stderr.txt") << read_text(dir / "stdout.txt");
        std::exit(1);
    }
    return {s, std::stod(read_text(dir / "time.txt"))};
}

// Third-octave deviations (30 Hz-16 kHz, mean removed) of `response_db` from flat.
std::vector<std::pair<double, double>> flat_deviations(const std::vector<double>& response_db) {
    const auto& grid = analysis_grid();
    return band_deviations(grid, response_db, std::vector<double>(grid.size(), 0.0));
}

// Metric A: SD after removing the least-squares line in log2(f); `slope` gets its dB/octave.
double sd_tilt_removed(std::vector<std::pair<double, double>> d, double* slope = nullptr) {
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    const double n = static_cast<double>(d.size());
    for (const auto& [f, v] : d) {
        const double x = std::log2(f);
        sx += x, sy += v, sxx += x * x, sxy += x * v;
    }
    const double b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    const double a = (sy - b * sx) / n;
    for (auto& [f, v] : d) v -= a + b * std::log2(f);
    if (slope) *slope = b;
    return band_sd(d);
}

struct Grade {
    double sd_a = 0.0, sd_b = 0.0, slope = 0.0;  // tilt removed, flat, removed tilt in dB/octave
};

// Mean over the positions of `data` of the figures for `response + correction`.
Grade grade(const ChannelData& data, const std::vector<double>& correction) {
    Grade g;
    for (const auto& r : data.responses) {
        std::vector<double> after = r.magnitude_db;
        for (std::size_t i = 0; i < after.size(); ++i) after[i] += correction[i];
        const auto d = flat_deviations(after);
        double slope = 0.0;
        g.sd_a += sd_tilt_removed(d, &slope);
        g.sd_b += band_sd(d);
        g.slope += slope;
    }
    const double n = static_cast<double>(data.responses.size());
    g.sd_a /= n, g.sd_b /= n, g.slope /= n;
    return g;
}

std::size_t peak_index(const std::vector<double>& x) {
    return static_cast<std::size_t>(
        std::max_element(x.begin(), x.end(), [](double a, double b) { return std::abs(a) < std::abs(b); }) - x.begin());
}

std::vector<double> convolve(const std::vector<double>& a, const std::vector<double>& b) {
    const std::size_t n = dsp::next_fast_size(a.size() + b.size() - 1);
    auto fa = dsp::rfft(a, n);
    const auto fb = dsp::rfft(b, n);
    for (std::size_t k = 0; k < fa.size(); ++k) fa[k] *= fb[k];
    auto y = dsp::irfft(fa, n);
    y.resize(a.size() + b.size() - 1);
    return y;
}

struct Column {
    std::string name;
    ChannelFilter filter;
    Grade held, lp;
    double pre_corrected_db = -300.0, pre_filter_db = -300.0;
    std::size_t filter_peak = 0;
    ProcessCost cost;          // medians
    double child_fit_s = 0.0;  // fit_room's time inside the timed process (cold), median
    double warm_fit_s = 0.0;   // fit_room's time in this process (plans and tables warm), median
};

template <typename F>
std::string figures(const std::vector<Column>& cols, F value, const char* unit, int decimals = 2) {
    std::string s;
    char buf[96];
    for (const auto& c : cols) {
        std::snprintf(buf, sizeof buf, "%s%s %.*f%s", s.empty() ? "" : ", ", c.name.c_str(), decimals, value(c), unit);
        s += buf;
    }
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 7 && std::string(argv[1]) == "--fit-child")
        return fit_child(argv[2], argv[3], argv[4], std::atoi(argv[5]), std::atof(argv[6]));
    const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
    std::vector<std::string> channels{"L", "R"};
    if (argc > 2) {
        channels.clear();
        std::stringstream s(argv[2]);
        for (std::string c; std::getline(s, c, ',');) channels.push_back(c);
    }
    if (std::system("command -v drc >/dev/null && test -x /usr/bin/time") != 0 || !fs::exists(drc_config) ||
        !fs::exists(drc_target)) {
        std::cerr << "bench_fit_vs_drc: needs drc (apt-get install drc) with " << drc_config << " and " << drc_target
                  << ", and /usr/bin/time (apt-get install time)\n";
        return 1;
    }
    const fs::path self = fs::canonical("/proc/self/exe");
    const fs::path work = fs::temp_directory_path() / ("roomcal-bench-fit-drc-" + std::to_string(::getpid()));
    fs::create_directories(work);
    fs::copy_file(drc_config, work / "normal-48.0.drc");
    fs::copy_file(drc_target, work / "pa-48.0.txt");
    const std::string drc_command =
        "drc --BCInFile=rs.pcm --BCInFileType=F --BCSampleRate=48000 --PSPointsFile=pa-48.0.txt --PSOutFile=rps.pcm "
        "--PSOutFileType=F --TCOutFile=rtc.pcm --TCOutFileType=F normal-48.0.drc";
    std::printf(
        "fit-vs-drc input: true impulse responses, 48 kHz, %zu samples; fitted positions 1-%d (drc: 1), "
        "held-out 6-9; SDs of third-octave deviations 30 Hz-16 kHz, mean over positions\n",
        ir_length, fit_positions);
    std::printf("fit-vs-drc drc: cd WORK && %s\n", drc_command.c_str());
    std::printf(
        "fit-vs-drc ours: fir minimum phase (ours, ours-flat20, ours-1pos), fir mixed phase (ours-mixed), 10 "
        "parametric 20-300 Hz (ours-peq); %zu taps; flat target, low roll-off found from the data, except "
        "ours-flat20: flat to 20 Hz like DRC's pa target\n",
        FitOptions{}.taps_at_48k);

    for (const auto& spec : measure::builtin_rooms()) {
        const Room full = measure::simulated_room_profile(spec, 9, Hz(fs_hz), ir_length);
        for (const auto& ch : channels) {
            const std::string tag = "fit-vs-drc " + spec.name + " " + ch;
            Room room;  // the one channel only: each tool fits one loudspeaker
            room.name = full.name;
            room.channels.push_back(*full.find_channel(ch));
            const auto held = channel_data(room, ch, held_out);
            const auto lp = channel_data(room, ch, {1});
            const ImpulseResponse& lp_ir = *lp.listening_ir;
            for (int p = 1; p <= fit_positions; ++p) {
                const auto& m = *room.find_channel(ch)->find_position(p);
                write_raw_float(work / ("ir-" + std::to_string(p) + ".f32"), m.impulse_response.samples);
                std::ofstream(work / ("ref-" + std::to_string(p) + ".txt")) << m.impulse_response.reference_sample;
            }
            {
                // DRC reads BCInitWindow samples centred on the peak and warns of spurious spikes when
                // fewer than half of them precede it: the response is shifted by leading zeros.
                std::vector<double> padded(ir_length / 2, 0.0);
                const auto& s = lp_ir.samples;
                padded.insert(padded.end(), s.begin(), s.end());
                write_raw_float(work / "rs.pcm", padded);
            }

            std::vector<Column> cols;
            std::vector<double> low_limits;
            for (const auto& v : variants) {
                Column c;
                c.name = v.name;
                std::vector<double> t_in, t_child, t_wall, rss;
                const auto opt = options_for(v.mode, v.phase, v.positions, v.low_hz);
                for (int r = 0; r < runs; ++r) {
                    const auto res = fit_room(room, opt);
                    t_in.push_back(res.seconds);
                    c.filter = res.sets.front().channels.front();
                    if (r == 0) low_limits.push_back(res.channels.front().low_limit.value);
                    const auto cost = run_timed(work, self.string() + " --fit-child . " + mode_name(v.mode) + " " +
                                                          phase_name(v.phase) + " " + std::to_string(v.positions) +
                                                          " " + std::to_string(v.low_hz));
                    t_wall.push_back(cost.seconds);
                    rss.push_back(cost.max_rss_kb);
                    t_child.push_back(std::stod(read_text(work / "stdout.txt")));
                }
                c.warm_fit_s = median(t_in);
                c.child_fit_s = median(t_child);
                c.cost = {median(t_wall), median(rss)};
                cols.push_back(std::move(c));
            }
            {
                Column c;
                c.name = "drc";
                std::vector<double> t_wall, rss;
                for (int r = 0; r < runs; ++r) {
                    fs::remove(work / "rps.pcm");
                    const auto cost = run_timed(work, drc_command);
                    t_wall.push_back(cost.seconds);
                    rss.push_back(cost.max_rss_kb);
                }
                c.cost = {median(t_wall), median(rss)};
                c.filter.channel = ch;
                c.filter.fir = read_raw_float(work / "rps.pcm");
                if (c.filter.fir.empty()) {
                    std::cerr << "bench_fit_vs_drc: drc wrote no filter\n" << read_text(work / "stdout.txt");
                    return 1;
                }
                cols.push_back(std::move(c));
            }
            // DRC's own test convolution (its filter on its prewindowed input), graded like the rest: a check
            // of reading its filter and of grading by adding magnitudes.
            double drc_self_check_db = 0.0;
            {
                ImpulseResponse tc;
                tc.samples = read_raw_float(work / "rtc.pcm");
                tc.sample_rate = Hz(fs_hz);
                tc.reference_sample = static_cast<double>(peak_index(tc.samples));
                drc_self_check_db =
                    band_sd(flat_deviations(measure::frequency_response(tc, analysis_grid()).magnitude_db));
            }

            // Grading.
            const auto& grid = analysis_grid();
            const std::vector<double> none(grid.size(), 0.0);
            const Grade held_before = grade(held, none), lp_before = grade(lp, none);
            for (auto& c : cols) {
                const auto corr = correction_db(c.filter, Hz(fs_hz), grid);
                c.held = grade(held, corr);
                c.lp = grade(lp, corr);
                const std::size_t taps = c.filter.fir.empty() ? 65536 : c.filter.fir.size();
                const auto h = dsp::render_impulse_response(c.filter, Hz(fs_hz), taps, false);
                c.filter_peak = peak_index(h);
                c.pre_filter_db = pre_ringing_db(h, static_cast<double>(c.filter_peak), Hz(fs_hz));
                const auto y = convolve(lp_ir.samples, h);
                c.pre_corrected_db = pre_ringing_db(y, static_cast<double>(peak_index(y)), Hz(fs_hz));
            }
            const double pre_before =
                pre_ringing_db(lp_ir.samples, static_cast<double>(peak_index(lp_ir.samples)), Hz(fs_hz));

            const char* t = tag.c_str();
            const Column& drc = cols.back();
            const std::vector<Column> ours(cols.begin(), cols.end() - 1);
            std::printf("%s held-out SD before: %.2f dB (tilt removed), %.2f dB (flat)\n", t, held_before.sd_a,
                        held_before.sd_b);
            std::printf("%s held-out SD after (tilt removed): %s\n", t,
                        figures(
                            cols, [](const Column& c) { return c.held.sd_a; }, " dB")
                            .c_str());
            std::printf("%s held-out SD after (flat): %s\n", t,
                        figures(
                            cols, [](const Column& c) { return c.held.sd_b; }, " dB")
                            .c_str());
            std::printf("%s held-out tilt removed: before %.2f dB/oct, %s\n", t, held_before.slope,
                        figures(
                            cols, [](const Column& c) { return c.held.slope; }, " dB/oct")
                            .c_str());
            std::printf("%s listening-position SD before: %.2f dB (tilt removed), %.2f dB (flat)\n", t, lp_before.sd_a,
                        lp_before.sd_b);
            std::printf("%s listening-position SD after (tilt removed): %s\n", t,
                        figures(
                            cols, [](const Column& c) { return c.lp.sd_a; }, " dB")
                            .c_str());
            std::printf("%s listening-position SD after (flat): %s\n", t,
                        figures(
                            cols, [](const Column& c) { return c.lp.sd_b; }, " dB")
                            .c_str());
            std::printf("%s listening-position SD after (flat), drc's own test convolution: %.2f dB\n", t,
                        drc_self_check_db);
            std::printf("%s corrected-IR pre-ringing (position 1, >1 ms before its peak): before %.1f dB, %s\n", t,
                        pre_before,
                        figures(
                            cols, [](const Column& c) { return c.pre_corrected_db; }, " dB", 1)
                            .c_str());
            std::printf("%s filter pre-ringing (>1 ms before its peak): %s\n", t,
                        figures(
                            cols, [](const Column& c) { return c.pre_filter_db; }, " dB", 1)
                            .c_str());
            std::printf("%s filter peak: %s\n", t,
                        figures(
                            cols, [](const Column& c) { return 1000.0 * c.filter_peak / fs_hz; }, " ms", 1)
                            .c_str());
            std::string corrected;
            for (std::size_t i = 0; i < low_limits.size(); ++i)
                corrected +=
                    (i ? ", " : "") + variants[i].name + " " + std::to_string(std::lround(low_limits[i])) + " Hz";
            std::printf("%s ours corrects from: %s\n", t, corrected.c_str());
            std::printf("%s fit time (process wall, median of %d): %s\n", t, runs,
                        figures(
                            cols, [](const Column& c) { return c.cost.seconds; }, " s", 3)
                            .c_str());
            std::printf("%s fit time ratio ours/drc: %s\n", t,
                        figures(
                            ours, [&](const Column& c) { return c.cost.seconds / drc.cost.seconds; }, "", 3)
                            .c_str());
            std::printf("%s fit time (fit_room inside that process, median of %d): %s\n", t, runs,
                        figures(
                            ours, [](const Column& c) { return c.child_fit_s; }, " s", 3)
                            .c_str());
            std::printf("%s fit time (fit_room repeated in one process, warm, median of %d): %s\n", t, runs,
                        figures(
                            ours, [](const Column& c) { return c.warm_fit_s; }, " s", 3)
                            .c_str());
            std::printf("%s peak memory (process max RSS, median of %d): %s\n", t, runs,
                        figures(
                            cols, [](const Column& c) { return c.cost.max_rss_kb / 1024.0; }, " MB", 1)
                            .c_str());
            std::printf("%s peak memory ratio ours/drc: %s\n", t,
                        figures(
                            ours, [&](const Column& c) { return c.cost.max_rss_kb / drc.cost.max_rss_kb; }, "", 3)
                            .c_str());
            std::fflush(stdout);
        }
    }
    fs::remove_all(work);
    return 0;
}
