// Sweep measurement against DRC's glsweep + lsconv (Debian `drc`): the same virtual room,
// mic position, noise level (60 dB below the recorded sweep) and sweep length, each tool
// with its own sweep. Reports the impulse-response error against the room's true
// response (20 Hz–20 kHz) and the analysis time of each, medians of several runs.
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
#include <string>
#include <vector>

#include "peer_io.hpp"
#include "roomcal/core/frequency_response.hpp"
#include "roomcal/dsp/fft.hpp"
#include "roomcal/measure/recording_analysis.hpp"
#include "roomcal/measure/response.hpp"
#include "roomcal/measure/smoothing.hpp"
#include "roomcal/measure/virtual_device.hpp"

using namespace roomcal;
using namespace roomcal::measure;
namespace fs = std::filesystem;

namespace {

using bench::median;
using bench::read_raw_float;
using bench::write_raw_float;

constexpr double fs_hz = 48000.0;

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

struct Grade {
    double complex_error_db = 0.0;    // time-domain error of the aligned responses, 20 Hz–20 kHz
    double magnitude_error_db = 0.0;  // largest |difference| of 1/6-octave magnitudes, 20 Hz–20 kHz
    double worst_at_hz = 0.0;
};

// `got` against `truth` after the best alignment (integer lag by cross-correlation, then
// gain by least squares; DRC's inverse filter carries its own scale), both limited to
// 20 Hz–20 kHz, over `compare_len` samples.
Grade grade(const std::vector<double>& got, const std::vector<double>& truth, std::size_t compare_len) {
    const std::size_t n = dsp::next_fast_size(got.size() + truth.size());
    auto g = dsp::rfft(got, n);
    auto t = dsp::rfft(truth, n);
    for (std::size_t k = 0; k < g.size(); ++k) {
        const double f = static_cast<double>(k) * fs_hz / static_cast<double>(n);
        if (f < 20.0 || f > 20000.0) g[k] = t[k] = 0.0;
    }
    std::vector<std::complex<double>> x(g.size());
    for (std::size_t k = 0; k < g.size(); ++k) x[k] = g[k] * std::conj(t[k]);
    const auto xc = dsp::irfft(x, n);
    const auto lag = static_cast<std::size_t>(
        std::max_element(xc.begin(), xc.end(), [](double a, double b) { return std::abs(a) < std::abs(b); }) -
        xc.begin());
    const auto gb = dsp::irfft(g, n), tb = dsp::irfft(t, n);
    double gt = 0, tt = 0;
    for (std::size_t i = 0; i < compare_len; ++i) {
        gt += gb[(i + lag) % n] * tb[i];
        tt += tb[i] * tb[i];
    }
    const double gain = gt / tt;
    ImpulseResponse a, b;
    a.samples.resize(compare_len);
    b.samples.resize(compare_len);
    double err = 0;
    for (std::size_t i = 0; i < compare_len; ++i) {
        a.samples[i] = gb[(i + lag) % n] / gain;
        b.samples[i] = tb[i];
        err += (a.samples[i] - b.samples[i]) * (a.samples[i] - b.samples[i]);
    }
    a.sample_rate = b.sample_rate = Hz(fs_hz);
    const auto peak =
        static_cast<double>(std::max_element(b.samples.begin(), b.samples.end(),
                                             [](double u, double v) { return std::abs(u) < std::abs(v); }) -
                            b.samples.begin());
    a.reference_sample = b.reference_sample = peak;
    IrWindow w;
    w.left_ms = 1000.0 * peak / fs_hz;
    w.right_ms = 1000.0 * (static_cast<double>(compare_len) - peak) / fs_hz;
    const auto grid = log_frequency_grid(20_Hz, 20_kHz, 48);
    const Smoothing sixth{SmoothingKind::fractional_octave, 6};
    const auto fa = smooth(frequency_response(a, grid, w), sixth), fb = smooth(frequency_response(b, grid, w), sixth);
    Grade r;
    r.complex_error_db = 10.0 * std::log10(err / tt);
    for (std::size_t i = 0; i < fa.size(); ++i)
        if (std::abs(fa.magnitude_db[i] - fb.magnitude_db[i]) > r.magnitude_error_db) {
            r.magnitude_error_db = std::abs(fa.magnitude_db[i] - fb.magnitude_db[i]);
            r.worst_at_hz = fa.frequency_hz[i];
        }
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    const int runs = argc > 1 ? std::atoi(argv[1]) : 5;
    if (std::system("command -v glsweep >/dev/null && command -v lsconv >/dev/null") != 0) {
        std::cerr << "bench_measure_vs_drc: DRC's glsweep and lsconv are not installed (apt-get install drc)\n";
        return 1;
    }
    const fs::path work = fs::temp_directory_path() / ("roomcal-bench-drc-" + std::to_string(::getpid()));
    fs::create_directories(work);
    const auto& room = find_builtin_room("living-room");

    SweepSpec spec;  // 2^18 samples, 10 Hz – 22 kHz, -20 dBFS
    const auto ours = make_sweep(spec);
    const double duration = static_cast<double>(ours.sweep_samples) / fs_hz;
    const std::string gl = "glsweep 48000 " + std::to_string(db_to_gain(spec.level_dbfs)) + " 10 22000 " +
                           std::to_string(duration) + " 1 0.0092 0.0009 " + (work / "drc-sweep.pcm").string() + " " +
                           (work / "drc-inverse.pcm").string() + " >/dev/null";
    if (std::system(gl.c_str()) != 0) {
        std::cerr << "glsweep failed\n";
        return 1;
    }
    const auto drc_sweep = read_raw_float(work / "drc-sweep.pcm");

    VirtualCapture cap;
    cap.mic = room.mic_positions[0];
    cap.latency_samples = 0;  // DRC has no timing reference; align both by correlation
    cap.h2_db = -300.0;
    cap.h3_db = -300.0;
    // 60 dB below our recorded sweep's RMS, the same absolute noise for both tools.
    {
        VirtualCapture clean = cap;
        clean.noise_floor_dbfs = -300.0;
        const auto r = simulate_recording(room, clean, ours.signal, 0);
        double e = 0;
        for (std::size_t n = ours.sweep_offset; n < ours.sweep_offset + ours.sweep_samples; ++n)
            e += r.audio(0, n) * r.audio(0, n);
        cap.noise_floor_dbfs = 10.0 * std::log10(e / static_cast<double>(ours.sweep_samples)) - 60.0;
    }
    const auto rec_ours = simulate_recording(room, cap, ours.signal, 0);
    const auto rec_drc = simulate_recording(room, cap, drc_sweep, 0);
    write_raw_float(work / "drc-recording.pcm",
                    std::vector<double>(rec_drc.audio.channel(0).begin(), rec_drc.audio.channel(0).end()));
    const auto& truth = rec_ours.true_response.samples;  // both recordings pass through the same room
    const std::size_t compare = static_cast<std::size_t>(0.5 * fs_hz);

    std::vector<double> t_ours, t_drc;
    Grade mine, drc;
    AnalysisOptions ao;
    ao.loopback_channel = 1;
    for (int i = 0; i < runs; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        const auto a = analyze_recording(rec_ours.audio.view(), ours, ao);
        t_ours.push_back(seconds_since(t0));
        mine = grade(a.impulse_response.samples, truth, compare);

        t0 = std::chrono::steady_clock::now();
        const std::string ls = "lsconv " + (work / "drc-recording.pcm").string() + " " +
                               (work / "drc-inverse.pcm").string() + " " + (work / "drc-ir.pcm").string() +
                               " >/dev/null";
        if (std::system(ls.c_str()) != 0) {
            std::cerr << "lsconv failed\n";
            return 1;
        }
        t_drc.push_back(seconds_since(t0));
        drc = grade(read_raw_float(work / "drc-ir.pcm"), truth, compare);
    }
    fs::remove_all(work);
    const double mo = median(t_ours), md = median(t_drc);
    std::printf("input: living-room, listening position, 48 kHz, %zu-sample sweeps, noise 60 dB below the sweep\n",
                ours.sweep_samples);
    std::printf(
        "magnitude_error_db (max |error|, 1/6 octave, 20 Hz-20 kHz): roomcal %.3f (at %.0f Hz)  drc %.3f (at "
        "%.0f Hz)\n",
        mine.magnitude_error_db, mine.worst_at_hz, drc.magnitude_error_db, drc.worst_at_hz);
    std::printf("ir_error_db (20 Hz-20 kHz, first 0.5 s): roomcal %.1f  drc %.1f\n", mine.complex_error_db,
                drc.complex_error_db);
    std::printf("analysis_time_s (median of %d): roomcal %.3f  drc %.3f  ratio %.2f\n", runs, mo, md, mo / md);
    std::printf(
        "note: roomcal's time includes drift measurement, loopback timing, distortion, SNR and decay analysis; "
        "lsconv only deconvolves\n");
    return 0;
}
