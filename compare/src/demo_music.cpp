// Synthetic music for the demo, and its master through roomcal's own EQ and limiter.
#include "roomcal/compare/demo_music.hpp"

#include <cmath>
#include <numbers>
#include <random>
#include <vector>

#include "roomcal/dsp/biquad_design.hpp"
#include "roomcal/dsp/true_peak_limiter.hpp"

namespace roomcal::compare {
namespace {

constexpr double two_pi = 2.0 * std::numbers::pi;

void apply(const Biquad& b, std::vector<float>& x) {
    double s1 = 0.0, s2 = 0.0;
    for (float& v : x) {
        const double in = v, y = b.b0 * in + s1;
        s1 = b.b1 * in - b.a1 * y + s2;
        s2 = b.b2 * in - b.a2 * y;
        v = static_cast<float>(y);
    }
}

}  // namespace

DemoPair demo_music(Hz rate, double seconds) {
    const double fs = rate.value;
    const auto n = static_cast<std::size_t>(seconds * fs);
    std::vector<float> left(n, 0.0f), right(n, 0.0f);
    std::mt19937 rng(2024);
    std::normal_distribution<double> noise(0.0, 1.0);
    const double beat = 0.5;                                                  // 120 bpm
    const double roots[] = {55.0, 55.0 * 4 / 3, 55.0 * 6 / 5, 55.0 * 3 / 2};  // A, D, C, E
    double hat_hp = 0.0, prev = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / fs;
        const double in_beat = std::fmod(t, beat), bar = std::floor(t / (4 * beat));
        const double root = roots[static_cast<std::size_t>(bar) % 4];
        // Kick: a falling sine on every beat.
        const double kick = 0.3 * std::exp(-in_beat / 0.12) *
                            std::sin(two_pi * (45.0 * in_beat + 60.0 * 0.03 * (1.0 - std::exp(-in_beat / 0.03))));
        // Bass: four harmonics of the bar's root, on the off-beats.
        const double off = std::fmod(t + beat / 2, beat);
        double bass = 0.0;
        for (int h = 1; h <= 4; ++h) bass += std::sin(two_pi * root * h * t) / h;
        bass *= 0.12 * std::exp(-off / 0.25);
        // Chords: root, third and fifth two octaves up, slowly swelling.
        const double swell = 0.5 + 0.5 * std::sin(two_pi * t / (8 * beat));
        double chord_l = 0.0, chord_r = 0.0;
        for (double ratio : {4.0, 5.0, 6.0}) {
            chord_l += std::sin(two_pi * root * ratio * t);
            chord_r += std::sin(two_pi * root * ratio * 1.003 * t + 0.5);
        }
        chord_l *= 0.035 * swell, chord_r *= 0.035 * swell;
        // Hats: high-passed noise bursts on every eighth, panned right.
        const double w = noise(rng);
        hat_hp = 0.7 * (hat_hp + w - prev);
        prev = w;
        const double hat = 0.05 * std::exp(-std::fmod(t, beat / 2) / 0.03) * hat_hp;
        left[i] = static_cast<float>(kick + bass + chord_l + 0.4 * hat);
        right[i] = static_cast<float>(kick + bass + chord_r + hat);
    }

    DemoPair p;
    p.changes = "+3 dB low shelf at 100 Hz, -2 dB at 3 kHz, +2 dB high shelf at 10 kHz, +3 dB into a -1 dBTP limiter";
    p.master_delay_s = 0.75;
    p.mix.resize(2, n);
    std::copy(left.begin(), left.end(), p.mix.channel(0).begin());
    std::copy(right.begin(), right.end(), p.mix.channel(1).begin());

    // The master: EQ, then 3 dB into the limiter, then placed 0.75 s later in its file.
    const std::vector<ParametricFilter> eq = {{FilterType::low_shelf, 100.0, 0.7, 3.0},
                                              {FilterType::peaking, 3000.0, 1.0, -2.0},
                                              {FilterType::high_shelf, 10000.0, 0.7, 2.0}};
    for (const auto& f : eq) {
        const Biquad b = dsp::design_biquad(f, rate);
        apply(b, left);
        apply(b, right);
    }
    dsp::TruePeakLimiter limiter;
    dsp::LimiterSettings settings;
    settings.input_gain = Decibels(3.0);
    limiter.prepare(rate, 4096, 2, settings);
    const std::size_t latency = limiter.latency_samples();
    left.resize(n + latency, 0.0f);
    right.resize(n + latency, 0.0f);
    for (std::size_t at = 0; at < left.size(); at += 4096) {
        float* ch[2] = {left.data() + at, right.data() + at};
        limiter.process(ch, std::min<std::size_t>(4096, left.size() - at));
    }
    const auto delay = static_cast<std::size_t>(p.master_delay_s * fs);
    p.master.resize(2, delay + n);
    std::copy(left.begin() + static_cast<std::ptrdiff_t>(latency), left.end(),
              p.master.channel(0).begin() + static_cast<std::ptrdiff_t>(delay));
    std::copy(right.begin() + static_cast<std::ptrdiff_t>(latency), right.end(),
              p.master.channel(1).begin() + static_cast<std::ptrdiff_t>(delay));
    return p;
}

}  // namespace roomcal::compare
