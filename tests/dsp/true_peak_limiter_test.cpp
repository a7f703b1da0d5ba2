// The true-peak limiter against an ideal reference: output true peak by 16× band-limited
// interpolation (the spectrum zero-padded, in double) on near-Nyquist tones, square-wave
// bursts, dense noise and speech; bit transparency below the threshold; the gain curve,
// the meter, linking, allocation-free processing and the messages for bad settings.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "roomcal/core/error.hpp"
#include "roomcal/dsp/fft.hpp"
#include "roomcal/dsp/true_peak_limiter.hpp"
#include "roomcal/io/audio_file.hpp"
#include "support/allocation_counter.hpp"
#include "support/test_support.hpp"

using namespace roomcal;
using namespace roomcal::dsp;
using Catch::Matchers::Contains;

namespace {

using Signal = std::vector<std::vector<float>>;  // channels × frames

constexpr double ceiling_db = -1.0;
constexpr double tolerance_db = 0.05;  // dB the output's true peak may exceed the ceiling by

// True peak in dBFS of the band-limited signal through the samples: its spectrum
// zero-padded to 16× the length. The signals start and end in silence, so treating them as
// periodic adds nothing.
double true_peak_db(const std::vector<float>& y) {
    std::size_t n = next_fast_size(y.size());
    while (n % 2 != 0) n = next_fast_size(n + 1);
    const std::vector<double> x(y.begin(), y.end());
    const auto bins = rfft(x, n);
    std::vector<std::complex<double>> wide(8 * n + 1);
    std::copy(bins.begin(), bins.end(), wide.begin());
    wide[n / 2] *= 0.5;  // the Nyquist bin stands for +fs/2 and −fs/2 alike
    const auto up = irfft(wide, 16 * n);
    double peak = 0.0;
    for (double v : up) peak = std::max(peak, std::abs(v));
    return gain_to_db(16.0 * peak);
}

double true_peak_db(const Signal& s) {
    double worst = -300.0;
    for (const auto& c : s) worst = std::max(worst, true_peak_db(c));
    return worst;
}

// `in` followed by enough silence to flush the limiter, in calls of random sizes up to 700
// frames (more than max_block, so process() also splits calls itself).
Signal limit(TruePeakLimiter& lim, Signal in, unsigned seed = 1) {
    for (auto& c : in) c.resize(c.size() + lim.latency_samples() + 64, 0.0f);
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::size_t> call(1, 700);
    std::vector<float*> ptr(in.size());
    for (std::size_t i = 0; i < in[0].size();) {
        const std::size_t n = std::min(call(rng), in[0].size() - i);
        for (std::size_t c = 0; c < in.size(); ++c) ptr[c] = in[c].data() + i;
        lim.process(ptr.data(), n);
        i += n;
    }
    return in;
}

// `block` 128 takes the limiter's direct interpolation (live blocks), 512 and up its FFT path.
Signal limit(const Signal& in, double rate, const LimiterSettings& settings = {}, unsigned seed = 1,
             std::size_t block = 512) {
    TruePeakLimiter lim;
    lim.prepare(rate, block, in.size(), settings);
    return limit(lim, in, seed);
}

std::vector<float> to_float(const std::vector<double>& x) { return {x.begin(), x.end()}; }

// Raised-cosine edges of `len` samples on [start, start + span).
void fade(std::vector<float>& x, std::size_t start, std::size_t span, std::size_t len) {
    for (std::size_t i = 0; i < len; ++i) {
        const float w = static_cast<float>(0.5 - 0.5 * std::cos(std::numbers::pi * (i + 0.5) / len));
        x[start + i] *= w;
        x[start + span - 1 - i] *= w;
    }
}

// Naive (not band-limited) square wave of `period` samples, on for 20 ms, off for 20 ms.
std::vector<float> square_bursts(double rate, double period, double amplitude, std::size_t edge) {
    const std::size_t n = static_cast<std::size_t>(0.1 * rate), burst = static_cast<std::size_t>(0.02 * rate);
    std::vector<float> x(n, 0.0f);
    for (std::size_t i = 0; i < n; ++i)
        if ((i / burst) % 2 == 0)
            x[i] = static_cast<float>(std::fmod(i + 0.37, period) < period / 2 ? amplitude : -amplitude);
    if (edge > 0)
        for (std::size_t b = 0; b + burst <= n; b += 2 * burst) fade(x, b, burst, edge);
    return x;
}

struct Worst {
    double over = -300.0, under = 300.0;  // highest and lowest output true peak re the ceiling
    void add(double peak_db) {
        over = std::max(over, peak_db - ceiling_db);
        under = std::min(under, peak_db - ceiling_db);
    }
};

}  // namespace

TEST_CASE("the output's true peak stays under the ceiling on hard signals", "[dsp][limiter]") {
    const double over_3 = db_to_gain(ceiling_db + 3.0), over_12 = db_to_gain(ceiling_db + 12.0);
    const std::size_t block = GENERATE(128, 4096);  // direct and FFT interpolation
    CAPTURE(block);
    for (const double rate : {44100.0, 48000.0}) {
        CAPTURE(rate);

        // Tones from 19 kHz (at 48 kHz; scaled at 44.1) to 100 Hz under Nyquist, among them
        // 4/9, 3/7 and 7/15 of the rate, whose samples never come near the crest at some
        // phases; switched on and off abruptly, and with 3 ms edges.
        Worst tones, steady, near_nyquist;
        for (const double f :
             {19000.0, 19200.0, 20000.0, 20571.43, 21000.0, 21333.33, 22000.0, 22400.0, 23000.0, 23500.0, 23900.0}) {
            const double freq = f * rate / 48000.0;
            for (const double phase : {0.0, 0.3, std::numbers::pi / 4, 1.1})
                for (const double amplitude : {over_3, over_12})
                    for (const std::size_t edge : {std::size_t{0}, static_cast<std::size_t>(0.003 * rate)}) {
                        CAPTURE(freq, phase, amplitude, edge);
                        const auto n = static_cast<std::size_t>(0.1 * rate);
                        auto x = to_float(test::sine(n, freq, rate, amplitude, phase));
                        if (edge > 0) fade(x, 0, n, edge);
                        const double peak = true_peak_db(limit({x}, rate, {}, 1, block));
                        CHECK(peak - ceiling_db <= tolerance_db);
                        (freq > 0.475 * rate ? near_nyquist : tones).add(peak);
                        if (edge > 0 && freq < 0.465 * rate) steady.add(peak);
                    }
        }
        // Stereo square-wave bursts, the right channel inverted and 3 samples late, with
        // abrupt and 3 ms edges; periods of 2×odd samples have a harmonic at exactly Nyquist.
        Worst squares;
        for (const double period : {4.0, 7.0, 10.0, 13.3, 44.1, 100.0, 441.0})
            for (const double amplitude : {over_3, over_12})
                for (const std::size_t edge : {std::size_t{0}, static_cast<std::size_t>(0.003 * rate)}) {
                    CAPTURE(period, amplitude, edge);
                    const auto left = square_bursts(rate, period, amplitude, edge);
                    std::vector<float> right(left.size(), 0.0f);
                    for (std::size_t i = 3; i < left.size(); ++i) right[i] = -left[i - 3];
                    const double peak = true_peak_db(limit({left, right}, rate, {}, 1, block));
                    CHECK(peak - ceiling_db <= tolerance_db);
                    squares.add(peak);
                }
        // Dense full-band white noise, 12 dB RMS over the ceiling, independent channels.
        Worst noise;
        for (const unsigned seed : {1u, 2u}) {
            const auto n = static_cast<std::size_t>(0.5 * rate);
            const double rms = db_to_gain(ceiling_db + 12.0);
            const double peak = true_peak_db(
                limit({to_float(test::white_noise(n, rms, seed)), to_float(test::white_noise(n, rms, seed + 10))}, rate,
                      {}, 1, block));
            CAPTURE(seed);
            CHECK(peak - ceiling_db <= tolerance_db);
            noise.add(peak);
        }
        WARN("block " << block << ", " << rate
                      << " Hz: output true peak re ceiling, highest / lowest: tones up to 0.475 fs " << tones.over
                      << " / " << tones.under << " dB (with soft edges, below 0.465 fs: " << steady.over << " / "
                      << steady.under << " dB), tones above 0.475 fs " << near_nyquist.over << " / "
                      << near_nyquist.under << " dB, square bursts " << squares.over << " / " << squares.under
                      << " dB, noise " << noise.over << " / " << noise.under << " dB");
        // Limited, not flattened: tones that start gently end up at the ceiling. (Abrupt
        // starts, naive squares and noise carry energy near Nyquist, which the limiter
        // allows for by design.)
        CHECK(steady.under > -0.1);
        CHECK(noise.under > -1.0);
    }
}

TEST_CASE("speech pushed 18 dB into the limiter stays under the ceiling", "[dsp][limiter]") {
    const auto path = test::shared_data("xmas.wav");
    if (path.empty()) {
        WARN("skipped: ../shared/data/xmas.wav is absent");
        return;
    }
    const auto file = io::read_audio(path);
    Signal in;
    for (std::size_t c = 0; c < file.audio.num_channels(); ++c)
        in.emplace_back(file.audio.channel(c).begin(), file.audio.channel(c).end());
    const double input_peak = true_peak_db(in);
    const std::size_t block = GENERATE(128, 4096);  // direct and FFT interpolation
    CAPTURE(block);
    // The same samples also run as if at 48 kHz: the limiter sees another spectrum.
    for (const double rate : {file.info.sample_rate.value, 48000.0}) {
        CAPTURE(rate);
        LimiterSettings s;
        s.input_gain = Decibels(18.0);
        const double peak = true_peak_db(limit(in, rate, s, 1, block));
        WARN("xmas.wav at " << rate << " Hz: input true peak " << input_peak << " dBTP, +18 dB -> output " << peak
                            << " dBTP (ceiling " << ceiling_db << ")");
        CHECK(input_peak + 18.0 > ceiling_db + 10.0);
        CHECK(peak - ceiling_db <= tolerance_db);
        CHECK(peak - ceiling_db > -0.3);
    }
}

TEST_CASE("below the threshold the output is the input delayed by latency_samples(), bit for bit", "[dsp][limiter]") {
    for (const double rate : {44100.0, 48000.0}) {
        CAPTURE(rate);
        // Music-like: tones and noise, peaking at −20 dBFS (true peak well under −1 dBTP).
        const auto n = static_cast<std::size_t>(rate);
        Signal in(2, std::vector<float>(n));
        const auto a = test::sine(n, 997.0, rate, 1.0), b = test::sine(n, 15000.0, rate, 0.5, 1.0);
        const auto w1 = test::white_noise(n, 0.2, 3), w2 = test::white_noise(n, 0.2, 4);
        double peak = 0.0;
        for (std::size_t i = 0; i < n; ++i)
            peak = std::max({peak, std::abs(a[i] + b[i] + w1[i]), std::abs(a[i] - w2[i])});
        for (std::size_t i = 0; i < n; ++i) {
            in[0][i] = static_cast<float>((a[i] + b[i] + w1[i]) / peak * 0.1);
            in[1][i] = static_cast<float>((a[i] - w2[i]) / peak * 0.1);
        }

        TruePeakLimiter lim;
        lim.prepare(rate, 512, 2);
        const std::size_t latency = lim.latency_samples();
        WARN(rate << " Hz: latency " << latency << " samples (" << 1e3 * latency / rate << " ms), attack ramp "
                  << lim.lookahead_samples() << " samples (" << 1e3 * lim.lookahead_samples() / rate << " ms)");
        CHECK(1e3 * latency / rate < 5.0);
        const Signal out = limit(lim, in, 7);
        std::size_t mismatches = 0;
        for (std::size_t c = 0; c < 2; ++c) {
            for (std::size_t i = 0; i < latency; ++i) mismatches += out[c][i] != 0.0f;
            for (std::size_t i = 0; i < n; ++i) mismatches += out[c][i + latency] != in[c][i];
        }
        CHECK(mismatches == 0);
        CHECK(lim.gain_reduction_db() == 0.0);
    }

    SECTION("and again once the gain has recovered from limiting") {
        const double rate = 48000.0;
        const auto n = static_cast<std::size_t>(2.0 * rate), loud = static_cast<std::size_t>(0.1 * rate);
        auto x = to_float(test::sine(n, 440.0, rate, 0.1));
        for (std::size_t i = 0; i < loud; ++i) x[i] *= 30.0f;
        TruePeakLimiter lim;
        lim.prepare(rate, 512, 1);
        const Signal out = limit(lim, {x});
        const std::size_t latency = lim.latency_samples();
        // 100 ms release: after 1.5 s the gain is back at exactly 1.
        std::size_t mismatches = 0;
        for (std::size_t i = static_cast<std::size_t>(1.6 * rate); i < n; ++i)
            mismatches += out[0][i + latency] != x[i];
        CHECK(mismatches == 0);
    }
}

TEST_CASE("the gain falls over the look-ahead, is down when the peak arrives and moves without steps",
          "[dsp][limiter]") {
    // DC, so the gain is out/in at every sample: 0.1 (unity gain), then 3.0 for 800 ms.
    const double rate = 48000.0;
    const auto start = static_cast<std::size_t>(0.2 * rate), stop = static_cast<std::size_t>(1.0 * rate);
    const std::size_t n = static_cast<std::size_t>(1.8 * rate);
    std::vector<float> x(n, 0.1f);
    for (std::size_t i = start; i < stop; ++i) x[i] = 3.0f;
    TruePeakLimiter lim;
    lim.prepare(rate, 256, 1);
    const std::size_t latency = lim.latency_samples(), ramp = lim.lookahead_samples();
    const Signal out = limit(lim, {x});
    std::vector<double> g(n);
    for (std::size_t i = 0; i < n; ++i) g[i] = out[0][i + latency] / static_cast<double>(x[i]);

    const double target = db_to_gain(ceiling_db) / 3.0;
    // Untouched well before; barely moving before the look-ahead (the step's energy near
    // Nyquist reaches the detector 80 samples early); falling during it.
    CHECK(g[start - 300] == 1.0);
    CHECK(g[start - ramp - 12] > 0.999);
    CHECK(g[start - ramp / 2] < 0.9);
    double loud_max = 0.0, lowest = 1.0;
    for (std::size_t i = start; i < stop; ++i) loud_max = std::max(loud_max, g[i]);
    for (double v : g) lowest = std::min(lowest, v);
    CHECK(loud_max <= target * (1.0 + 1e-5));  // down from the first loud sample on
    // The step itself is broadband, so the gain dips further at it; once that has been
    // released, the level sits at the ceiling.
    CHECK(g[stop - 4800] == Approx(target).epsilon(5e-4));  // 0.004 dB

    // The two box filters bound each step to the gain's whole swing over half the ramp.
    double steepest = 0.0;
    for (std::size_t i = 1; i < n; ++i) steepest = std::max(steepest, std::abs(g[i] - g[i - 1]));
    CHECK(steepest <= 1.02 * (1.0 - lowest) / std::ceil(ramp / 2.0));

    // Release: after the loud part the shortfall from unity decays by e in 100 ms.
    std::size_t a = stop, b;
    while (a < n && 1.0 - g[a] > 0.5 * (1.0 - target)) ++a;
    for (b = a; b < n && 1.0 - g[b] > 0.5 * (1.0 - target) * std::exp(-1.0); ++b) continue;
    const double release_s = static_cast<double>(b - a) / rate;
    CAPTURE(release_s);
    CHECK(release_s == Approx(0.1).margin(0.001));

    SECTION("an input gain change ramps instead of stepping") {
        TruePeakLimiter drive;
        drive.prepare(rate, 256, 1);
        std::vector<float> dc(static_cast<std::size_t>(0.1 * rate), 0.1f);
        float* p = dc.data();
        drive.process(&p, 2400);
        drive.set_input_gain(Decibels(6.0));
        p = dc.data() + 2400;
        drive.process(&p, dc.size() - 2400);
        double jump = 0.0;
        for (std::size_t i = drive.latency_samples() + 1; i < dc.size(); ++i)
            jump = std::max(jump, std::abs(static_cast<double>(dc[i]) - dc[i - 1]));
        CHECK(dc.back() == Approx(0.1 * db_to_gain(6.0)).epsilon(1e-5));
        CHECK(jump <= 0.1 * (db_to_gain(6.0) - 1.0) / 400.0);  // 10 ms at 48 kHz is 480 steps
    }
}

TEST_CASE("channels share one gain", "[dsp][limiter]") {
    const double rate = 48000.0;
    const auto n = static_cast<std::size_t>(0.3 * rate);
    const auto loud = to_float(test::white_noise(n, 2.0, 5));
    const auto quiet = to_float(test::sine(n, 300.0, rate, 0.05));
    TruePeakLimiter lim;
    lim.prepare(rate, 256, 2);
    const Signal out = limit(lim, {loud, quiet});
    const std::size_t latency = lim.latency_samples();
    double worst = 0.0, lowest = 1.0;
    for (std::size_t i = 0; i < n; ++i) {
        if (std::abs(quiet[i]) < 0.01f || std::abs(loud[i]) < 0.01f) continue;
        const double gl = out[0][i + latency] / static_cast<double>(loud[i]);
        const double gq = out[1][i + latency] / static_cast<double>(quiet[i]);
        worst = std::max(worst, std::abs(gl - gq) / gl);
        lowest = std::min(lowest, gq);
    }
    CHECK(worst < 1e-6);
    CHECK(lowest < 0.5);  // the quiet channel is turned down with the loud one
}

TEST_CASE("the gain reduction meter reads the reduction applied", "[dsp][limiter]") {
    // A 997 Hz tone whose true peak is its amplitude, 6 dB over the ceiling.
    const double rate = 48000.0, amplitude = db_to_gain(ceiling_db + 6.0);
    const auto n = static_cast<std::size_t>(rate);
    const auto x = to_float(test::sine(n, 997.0, rate, amplitude));
    TruePeakLimiter lim;
    lim.prepare(rate, 256, 1);
    std::vector<float> y = x;
    for (std::size_t i = 0; i < n; i += 256) {
        float* p = y.data() + i;
        lim.process(&p, std::min<std::size_t>(256, n - i));
    }
    // Steady state: the gain of the last block, from the largest input sample in it.
    const std::size_t latency = lim.latency_samples();
    std::size_t at = n - 256;
    for (std::size_t i = n - 256; i < n; ++i)
        if (std::abs(x[i - latency]) > std::abs(x[at - latency])) at = i;
    const double applied = -gain_to_db(y[at] / static_cast<double>(x[at - latency]));
    CAPTURE(applied, lim.gain_reduction_db());
    CHECK(lim.gain_reduction_db() == Approx(applied).margin(0.01));
    CHECK(applied == Approx(6.0).margin(0.05));
}

TEST_CASE("the limiter allocates nothing while processing", "[dsp][limiter]") {
    const double rate = 48000.0;
    TruePeakLimiter lim;
    lim.prepare(rate, 512, 2);
    const auto a = to_float(test::white_noise(48000, 3.0, 8)), b = to_float(test::white_noise(48000, 3.0, 9));
    std::vector<float> l(2048), r(2048);
    float* ptr[2] = {l.data(), r.data()};
    std::mt19937 rng(2);
    std::uniform_int_distribution<std::size_t> call(1, 2048), from(0, 48000 - 2048);
    std::size_t allocations = 0;
    for (int k = 0; k < 300; ++k) {
        if (k % 50 == 10) lim.set_ceiling(Decibels(-1.0 - k / 100.0));
        if (k % 50 == 20) lim.set_input_gain(Decibels(k / 50.0));
        if (k % 50 == 30) lim.set_release(Seconds(0.05 + k / 1000.0));
        const std::size_t frames = call(rng), offset = from(rng);
        std::copy_n(a.begin() + offset, frames, l.begin());
        std::copy_n(b.begin() + offset, frames, r.begin());
        test::AllocationCounter count;
        lim.process(ptr, frames);
        if (k == 150) lim.reset();
        allocations += count.count();
    }
    CHECK(allocations == 0);
}

TEST_CASE("calls of any size give the same output", "[dsp][limiter]") {
    const double rate = 44100.0;
    const auto x = to_float(test::white_noise(static_cast<std::size_t>(0.3 * rate), 1.5, 11));
    // Small blocks (live) sum the interpolation directly: the same bits whatever the calls.
    TruePeakLimiter small, small_again;
    small.prepare(rate, 64, 1);
    small_again.prepare(rate, 256, 1);
    const Signal a = limit(small, {x}, 3), a2 = limit(small_again, {x}, 5);
    CHECK(a[0] == a2[0]);
    // Large blocks (offline) interpolate by FFT: the same to float rounding (the signal
    // peaks near 6, limited to 0.89).
    TruePeakLimiter large;
    large.prepare(rate, 8192, 1);
    const Signal b = limit(large, {x}, 4);
    REQUIRE(a[0].size() == b[0].size());
    double worst = 0.0;
    for (std::size_t i = 0; i < a[0].size(); ++i) worst = std::max(worst, double(std::abs(a[0][i] - b[0][i])));
    CAPTURE(worst);
    CHECK(worst < 1e-6);
}

TEST_CASE("bad limiter settings are refused with a message that says what to change", "[dsp][limiter]") {
    TruePeakLimiter lim;
    const auto refuses = [&](double rate, std::size_t block, std::size_t channels, const LimiterSettings& s,
                             const std::string& what) {
        CAPTURE(what);
        try {
            lim.prepare(rate, block, channels, s);
            FAIL("accepted");
        } catch (const UsageError& e) {
            CHECK_THAT(e.what(), Contains(what));
        }
    };
    const LimiterSettings ok;
    LimiterSettings s;
    s.ceiling = Decibels(0.5);
    refuses(48000.0, 256, 2, s, "limiter ceiling 0.5 dBTP is out of range: use -30 to 0 dBTP");
    s = ok;
    s.ceiling = Decibels(std::nan(""));
    refuses(48000.0, 256, 2, s, "limiter ceiling nan dBTP");
    s = ok;
    s.release = Seconds(0.0);
    refuses(48000.0, 256, 2, s, "limiter release 0 ms is out of range: use 1 to 5000 ms");
    s = ok;
    s.input_gain = Decibels(30.0);
    refuses(48000.0, 256, 2, s, "limiter input gain 30 dB is out of range: use -24 to 24 dB");
    s = ok;
    s.lookahead = Seconds(0.02);
    refuses(48000.0, 256, 2, s, "limiter look-ahead 20 ms is out of range: use 0.5 to 10 ms");
    refuses(0.0, 256, 2, ok, "limiter sample rate 0 Hz is out of range: use 8000 to 768000 Hz");
    refuses(48000.0, 0, 2, ok, "limiter max block is 0");
    refuses(48000.0, 256, 0, ok, "limiter channel count 0 is out of range: use 1 to 64");

    lim.prepare(48000.0, 256, 2);
    CHECK_THROWS_WITH(lim.set_ceiling(Decibels(3.0)), Contains("ceiling 3 dBTP"));
    CHECK_THROWS_WITH(lim.set_release(Seconds(10.0)), Contains("release 10000 ms"));
    CHECK_THROWS_WITH(lim.set_input_gain(Decibels(-40.0)), Contains("input gain -40 dB"));
    CHECK(lim.ceiling().value == -1.0);
    CHECK(lim.release().value == Approx(0.1));
    CHECK(lim.input_gain().value == 0.0);
}
