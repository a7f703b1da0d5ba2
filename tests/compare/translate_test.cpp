// Translation: the predicted band levels at the seat against the truth — the mix
// convolved with each room's listening-position impulse responses and measured.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "roomcal/compare/translate.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/correct/room_data.hpp"
#include "roomcal/dsp/fft.hpp"
#include "roomcal/measure/virtual_room.hpp"

using namespace roomcal;
using namespace roomcal::compare;

namespace {

std::vector<double> convolve(const std::vector<double>& a, const std::vector<double>& b) {
    const std::size_t len = a.size() + b.size() - 1, n = dsp::next_fast_size(len);
    auto x = dsp::rfft(a, n);
    const auto y = dsp::rfft(b, n);
    for (std::size_t k = 0; k < x.size(); ++k) x[k] *= y[k];
    auto out = dsp::irfft(x, n);
    out.resize(len);
    return out;
}

// Welch band power (dB) of x over [from, frames): Hann frames of n, half overlapped — the
// way the mix itself is measured, so a band's ratio compares like with like.
std::vector<double> welch(const std::vector<double>& x, std::size_t from, std::size_t frames, std::size_t n) {
    std::vector<double> p(n / 2 + 1, 0.0), seg(n);
    for (std::size_t f = from; f + n <= frames; f += n / 2) {
        for (std::size_t i = 0; i < n; ++i) seg[i] = x[f + i] * (0.5 - 0.5 * std::cos(2.0 * M_PI * i / n));
        const auto s = dsp::rfft(seg, n);
        for (std::size_t k = 0; k < p.size(); ++k) p[k] += std::norm(s[k]);
    }
    return p;
}

double band_db(const std::vector<double>& p, double fs, double fc, std::size_t n) {
    const double bin = fs / static_cast<double>(n);
    double sum = 0.0;
    for (auto k = static_cast<std::size_t>(std::ceil(fc * std::pow(2.0, -1.0 / 6.0) / bin));
         k < static_cast<std::size_t>(std::ceil(fc * std::pow(2.0, 1.0 / 6.0) / bin)) && k < p.size(); ++k)
        sum += p[k];
    return 10.0 * std::log10(sum);
}

}  // namespace

TEST_CASE("translation predicts the mix's band levels at each room's seat", "[compare][translate]") {
    const double fs = 48000.0;
    const auto specs = measure::builtin_rooms();
    std::vector<Room> rooms;
    for (std::size_t i = 0; i < 2; ++i) rooms.push_back(measure::simulated_room_profile(specs.at(i), 1, 48_kHz, 65536));
    // A stereo mix whose channels are independent noise: the two speakers' sounds then add
    // in power at the seat, which is what the prediction assumes.
    const std::size_t frames = static_cast<std::size_t>(24.0 * fs);
    AudioBuffer<float> mix(2, frames);
    std::mt19937 rng(5);
    std::normal_distribution<double> g(0.0, 0.05);
    for (std::size_t c = 0; c < 2; ++c) {
        double lp = 0.0;
        for (std::size_t i = 0; i < frames; ++i) mix(c, i) = static_cast<float>(lp = 0.5 * lp + g(rng));
    }
    const Translation t = translate(mix.view(), Hz(fs), rooms);
    REQUIRE(t.rooms.size() == 2);
    CHECK(t.differences.size() == 1);
    for (std::size_t r = 0; r < rooms.size(); ++r) {
        // Truth: each channel through its speaker's impulse response, summed at the seat.
        std::vector<double> seat;
        for (const char* name : {"L", "R"}) {
            const auto data = correct::channel_data(rooms[r], name);
            REQUIRE(data.listening_ir);
            const std::size_t c = std::string(name) == "L" ? 0 : 1;
            const std::vector<double> x(mix.view().channel(c).begin(), mix.view().channel(c).end());
            const auto y = convolve(x, data.listening_ir->samples);
            if (seat.empty()) seat.assign(y.size(), 0.0);
            for (std::size_t i = 0; i < y.size(); ++i) seat[i] += y[i];
        }
        const std::size_t n = 65536;  // the frame translate uses at 48 kHz
        const std::size_t from = 0;
        const auto seat_p = welch(seat, from, frames, n);
        std::vector<double> mix_p(n / 2 + 1, 0.0);
        for (std::size_t c = 0; c < 2; ++c) {
            const std::vector<double> x(mix.view().channel(c).begin(), mix.view().channel(c).end());
            const auto pc = welch(x, from, frames, n);
            for (std::size_t k = 0; k < mix_p.size(); ++k) mix_p[k] += pc[k];
        }
        double worst = 0.0, worst_hz = 0.0;
        for (std::size_t b = 0; b < t.centres_hz.size(); ++b) {
            const double fc = t.centres_hz[b];
            if (fc < 40.0 || fc > 16000.0) continue;
            // The room's gain on this mix in this band: seat power over the mix's own power.
            const double truth = band_db(seat_p, fs, fc, n) - band_db(mix_p, fs, fc, n);
            const double predicted = t.rooms[r].heard_db[b] - t.mix_db[b];
            if (std::abs(predicted - truth) > worst) worst = std::abs(predicted - truth), worst_hz = fc;
        }
        CAPTURE(rooms[r].name, worst_hz);
        CHECK(worst <= 0.5);
        CHECK(t.rooms[r].score_db > 0.5);  // an uncorrected room does not translate perfectly
        CHECK(t.rooms[r].worst.size() == 3);
    }
    CHECK_THROWS_AS(translate(mix.view(), Hz(fs), {}), UsageError);
}
