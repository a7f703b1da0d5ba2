// Tests of the engine meters: the EBU Tech 3341 / 3342 conformance cases (loudness, true
// peak, loudness range; ITU-R BS.1770-4 via libebur128) fed through MeterTap from a
// producer thread in audio-sized blocks, plus peak ballistics, correlation and spectrum.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <numbers>
#include <thread>
#include <vector>

#include "roomcal/core/error.hpp"
#include "roomcal/engine/meters.hpp"
#include "support/allocation_counter.hpp"
#include "support/test_support.hpp"

using namespace roomcal;
using engine::MeterReadings;
using engine::Meters;

namespace {

constexpr std::size_t all_frames = std::numeric_limits<std::size_t>::max();

// Fills `frames` frames starting at frame `start`, one buffer per channel.
using Render = std::function<void(std::uint64_t start, std::size_t frames, float* const* out)>;
using Observe = std::function<void(const MeterReadings&)>;

// Plays the part of the audio callback on its own thread, pushing `block` frames at a time,
// while this thread drains with update(update_frames) and shows each reading to `observe`.
// The producer waits for room before each push (a real callback would not) so that the
// conformance figures are measured on the whole signal.
MeterReadings run(Meters& meters, std::size_t channels, std::uint64_t total, const Render& render,
                  const Observe& observe = {}, std::size_t block = 256, std::size_t update_frames = all_frames) {
    std::atomic<bool> finished{false};
    std::thread producer([&] {
        std::vector<std::vector<float>> buffers(channels, std::vector<float>(block));
        std::vector<float*> pointers;
        for (auto& b : buffers) pointers.push_back(b.data());
        engine::MeterTap& tap = meters.tap();
        for (std::uint64_t pos = 0; pos < total;) {
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(block, total - pos));
            render(pos, n, pointers.data());
            while (tap.writable_frames() < n) std::this_thread::yield();
            tap.push(pointers.data(), n);
            pos += n;
        }
        finished.store(true, std::memory_order_release);
    });
    for (;;) {
        const bool producer_done = finished.load(std::memory_order_acquire);
        if (meters.update(update_frames) > 0) {
            if (observe) observe(meters.readings());
        } else if (producer_done) {
            break;
        } else {
            std::this_thread::yield();
        }
    }
    producer.join();
    const MeterReadings r = meters.readings();
    CHECK(r.dropped_frames == 0);
    CHECK(r.frames_metered == total);
    return r;
}

struct Step {
    double dbfs;  // peak level of the sine
    double seconds;
};

// A 1 kHz sine in steps of level; `channel_db` offsets each channel (the 5-channel case).
class ToneProgramme {
public:
    ToneProgramme(double rate, const std::vector<Step>& steps, std::vector<double> channel_db = {0.0, 0.0})
        : rate_(static_cast<std::uint64_t>(rate)), table_(rate_) {
        for (std::uint64_t k = 0; k < rate_; ++k)
            table_[k] = std::sin(2.0 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(rate_));
        double t = 0.0;
        for (const auto& s : steps) {
            t += s.seconds;
            ends_.push_back(static_cast<std::uint64_t>(std::llround(t * rate)));
            gains_.push_back(std::pow(10.0, s.dbfs / 20.0));
        }
        for (double d : channel_db) channel_gain_.push_back(std::pow(10.0, d / 20.0));
    }

    std::size_t channels() const { return channel_gain_.size(); }
    std::uint64_t frames() const { return ends_.back(); }

    void render(std::uint64_t start, std::size_t frames, float* const* out) const {
        std::size_t step =
            static_cast<std::size_t>(std::upper_bound(ends_.begin(), ends_.end(), start) - ends_.begin());
        std::uint64_t phase = (start * tone_frequency_hz) % rate_;  // exact: the table holds one second
        for (std::size_t i = 0; i < frames; ++i) {
            while (start + i >= ends_[step]) ++step;
            const double x = gains_[step] * table_[phase];
            for (std::size_t c = 0; c < channel_gain_.size(); ++c) out[c][i] = static_cast<float>(x * channel_gain_[c]);
            phase += tone_frequency_hz;
            if (phase >= rate_) phase -= rate_;
        }
    }

    Render renderer() const {
        return [this](std::uint64_t s, std::size_t n, float* const* o) { render(s, n, o); };
    }

private:
    static constexpr std::uint64_t tone_frequency_hz = 1000;
    std::uint64_t rate_;
    std::vector<double> table_;
    std::vector<std::uint64_t> ends_;
    std::vector<double> gains_;
    std::vector<double> channel_gain_;
};

MeterReadings run_tones(double rate, const std::vector<Step>& steps, const Observe& observe = {},
                        std::vector<double> channel_db = {0.0, 0.0}, std::size_t block = 256,
                        std::size_t update_frames = all_frames) {
    const ToneProgramme tone(rate, steps, std::move(channel_db));
    Meters meters;
    meters.prepare(rate, tone.channels());
    return run(meters, tone.channels(), tone.frames(), tone.renderer(), observe, block, update_frames);
}

// Extremes of the loudness readings published once a case has settled (one refresh later
// than the case says, since a reading belongs to the last 100 ms grid point), and their count.
struct Spread {
    double low = std::numeric_limits<double>::infinity();
    double high = -std::numeric_limits<double>::infinity();
    int count = 0;
};

// Tech 3341 cases 15-19: a sine at fs/k with a phase, stereo, 2 s, 10 ms raised-cosine fades.
MeterReadings run_true_peak_case(double rate, double divisor, double phase_deg, double amplitude) {
    const auto total = static_cast<std::uint64_t>(std::llround(2.0 * rate));
    const auto fade = static_cast<double>(std::llround(0.01 * rate));
    const double phase = phase_deg * std::numbers::pi / 180.0;
    const Render render = [=](std::uint64_t start, std::size_t frames, float* const* out) {
        for (std::size_t i = 0; i < frames; ++i) {
            const auto n = static_cast<double>(start + i);
            const double edge = std::min(n, static_cast<double>(total - 1) - n);
            const double g = edge < fade ? 0.5 - 0.5 * std::cos(std::numbers::pi * edge / fade) : 1.0;
            const auto x = static_cast<float>(amplitude * g * std::sin(2.0 * std::numbers::pi * n / divisor + phase));
            out[0][i] = x;
            out[1][i] = x;
        }
    };
    Meters meters;
    meters.prepare(rate, 2);
    return run(meters, 2, total, render);
}

void check_true_peak(const MeterReadings& r, double expected_dbtp) {
    for (std::size_t c = 0; c < 2; ++c) {
        INFO("channel " << c << ": " << r.true_peak_dbtp[c].max_db << " dBTP");
        CHECK(r.true_peak_dbtp[c].max_db >= expected_dbtp - 0.4);
        CHECK(r.true_peak_dbtp[c].max_db <= expected_dbtp + 0.2);
    }
}

}  // namespace

TEST_CASE("3341-1: stereo -23 dBFS reads M, S, I = -23.0 LUFS +-0.1", "[engine][meters]") {
    const double rate = GENERATE(48000.0, 44100.0, 69313.0);
    INFO("sample rate " << rate);
    const auto r = run_tones(rate, {{-23.0, 20.0}});
    CHECK(r.momentary_lufs == Approx(-23.0).margin(0.1));
    CHECK(r.short_term_lufs == Approx(-23.0).margin(0.1));
    CHECK(r.integrated_lufs == Approx(-23.0).margin(0.1));
}

TEST_CASE("3341-2: stereo -33 dBFS reads M, S, I = -33.0 LUFS +-0.1", "[engine][meters]") {
    const auto r = run_tones(48000.0, {{-33.0, 20.0}});
    CHECK(r.momentary_lufs == Approx(-33.0).margin(0.1));
    CHECK(r.short_term_lufs == Approx(-33.0).margin(0.1));
    CHECK(r.integrated_lufs == Approx(-33.0).margin(0.1));
}

TEST_CASE("3341-3: -36/-23/-36 dBFS for 10/60/10 s reads I = -23.0 LUFS +-0.1", "[engine][meters]") {
    const auto r = run_tones(48000.0, {{-36.0, 10.0}, {-23.0, 60.0}, {-36.0, 10.0}}, {}, {0.0, 0.0}, 4096);
    CHECK(r.integrated_lufs == Approx(-23.0).margin(0.1));
}

TEST_CASE("3341-4: -72/-36/-23/-36/-72 dBFS reads I = -23.0 LUFS +-0.1", "[engine][meters]") {
    const auto r = run_tones(48000.0, {{-72.0, 10.0}, {-36.0, 10.0}, {-23.0, 60.0}, {-36.0, 10.0}, {-72.0, 10.0}}, {},
                             {0.0, 0.0}, 4096);
    CHECK(r.integrated_lufs == Approx(-23.0).margin(0.1));
}

TEST_CASE("3341-5: -26/-20/-26 dBFS for 20/20.1/20 s reads I = -23.0 LUFS +-0.1", "[engine][meters]") {
    const double rate = GENERATE(48000.0, 44100.0);
    INFO("sample rate " << rate);
    const auto r = run_tones(rate, {{-26.0, 20.0}, {-20.0, 20.1}, {-26.0, 20.0}}, {}, {0.0, 0.0}, 4096);
    CHECK(r.integrated_lufs == Approx(-23.0).margin(0.1));
}

TEST_CASE("3341-6: 5 channels L R C Ls Rs at -28/-28/-24/-30/-30 dBFS read I = -23.0 LUFS +-0.1", "[engine][meters]") {
    const double rate = GENERATE(48000.0, 69313.0);
    INFO("sample rate " << rate);
    const auto r = run_tones(rate, {{0.0, 20.0}}, {}, {-28.0, -28.0, -24.0, -30.0, -30.0});
    CHECK(r.channels == 5);
    CHECK(r.integrated_lufs == Approx(-23.0).margin(0.1));
}

TEST_CASE("3341-9: 1.34 s at -20 / 1.66 s at -30 dBFS holds S = -23.0 LUFS +-0.1 after 3 s", "[engine][meters]") {
    const double rate = GENERATE(48000.0, 44100.0);
    INFO("sample rate " << rate);
    std::vector<Step> steps;
    for (int i = 0; i < 5; ++i) steps.insert(steps.end(), {{-20.0, 1.34}, {-30.0, 1.66}});
    Spread s;
    const auto settled = static_cast<std::uint64_t>(3.1 * rate);
    const auto refresh = static_cast<std::size_t>(std::llround(0.1 * rate));
    run_tones(
        rate, steps,
        [&](const MeterReadings& r) {
            if (r.frames_metered < settled) return;
            s.low = std::min(s.low, r.short_term_lufs);
            s.high = std::max(s.high, r.short_term_lufs);
            ++s.count;
        },
        {0.0, 0.0}, 256, refresh);
    INFO("short-term from " << s.low << " to " << s.high << " LUFS over " << s.count << " readings");
    CHECK(s.count >= 100);
    CHECK(s.low >= -23.1);
    CHECK(s.high <= -22.9);
}

TEST_CASE("3341-12: 0.18 s at -20 / 0.22 s at -30 dBFS holds M = -23.0 LUFS +-0.1 after 1 s", "[engine][meters]") {
    const double rate = GENERATE(48000.0, 69313.0);
    INFO("sample rate " << rate);
    std::vector<Step> steps;
    for (int i = 0; i < 25; ++i) steps.insert(steps.end(), {{-20.0, 0.18}, {-30.0, 0.22}});
    Spread m;
    const auto settled = static_cast<std::uint64_t>(1.1 * rate);
    const auto refresh = static_cast<std::size_t>(std::llround(0.1 * rate));
    run_tones(
        rate, steps,
        [&](const MeterReadings& r) {
            if (r.frames_metered < settled) return;
            m.low = std::min(m.low, r.momentary_lufs);
            m.high = std::max(m.high, r.momentary_lufs);
            ++m.count;
        },
        {0.0, 0.0}, 256, refresh);
    INFO("momentary from " << m.low << " to " << m.high << " LUFS over " << m.count << " readings");
    CHECK(m.count >= 80);
    CHECK(m.low >= -23.1);
    CHECK(m.high <= -22.9);
}

TEST_CASE("3341-15..19: true peak of inter-sample peaks within +0.2/-0.4 dB", "[engine][meters]") {
    const double rate = GENERATE(48000.0, 44100.0, 69313.0);
    INFO("sample rate " << rate);
    SECTION("3341-15: fs/4, 0 deg, 0.5 reads -6.0 dBTP") { check_true_peak(run_true_peak_case(rate, 4, 0, 0.5), -6.0); }
    SECTION("3341-16: fs/4, 45 deg, 0.5 reads -6.0 dBTP from a -9.03 dBFS sample peak") {
        const auto r = run_true_peak_case(rate, 4, 45, 0.5);
        check_true_peak(r, -6.0);
        CHECK(r.sample_peak_dbfs[0].max_db == Approx(-9.03).margin(0.01));
    }
    SECTION("3341-17: fs/6, 60 deg, 0.5 reads -6.0 dBTP") {
        check_true_peak(run_true_peak_case(rate, 6, 60, 0.5), -6.0);
    }
    SECTION("3341-18: fs/8, 67.5 deg, 0.5 reads -6.0 dBTP") {
        check_true_peak(run_true_peak_case(rate, 8, 67.5, 0.5), -6.0);
    }
    SECTION("3341-19: fs/4, 45 deg, 1.41 reads +3.0 dBTP") {
        check_true_peak(run_true_peak_case(rate, 4, 45, 1.41), 3.0);
    }
}

TEST_CASE("3342-1: -20 then -30 dBFS reads LRA = 10 LU +-1", "[engine][meters]") {
    const double rate = GENERATE(48000.0, 44100.0);
    INFO("sample rate " << rate);
    const auto r = run_tones(rate, {{-20.0, 20.0}, {-30.0, 20.0}}, {}, {0.0, 0.0}, 4096);
    CHECK(r.loudness_range_lu == Approx(10.0).margin(1.0));
}

TEST_CASE("3342-2: -20 then -15 dBFS reads LRA = 5 LU +-1", "[engine][meters]") {
    const double rate = GENERATE(48000.0, 69313.0);
    INFO("sample rate " << rate);
    const auto r = run_tones(rate, {{-20.0, 20.0}, {-15.0, 20.0}}, {}, {0.0, 0.0}, 4096);
    CHECK(r.loudness_range_lu == Approx(5.0).margin(1.0));
}

TEST_CASE("3342-3: -40 then -20 dBFS reads LRA = 20 LU +-1", "[engine][meters]") {
    const auto r = run_tones(48000.0, {{-40.0, 20.0}, {-20.0, 20.0}}, {}, {0.0, 0.0}, 4096);
    CHECK(r.loudness_range_lu == Approx(20.0).margin(1.0));
}

TEST_CASE("3342-4: -50/-35/-20/-35/-50 dBFS reads LRA = 15 LU +-1", "[engine][meters]") {
    const auto r = run_tones(48000.0, {{-50.0, 20.0}, {-35.0, 20.0}, {-20.0, 20.0}, {-35.0, 20.0}, {-50.0, 20.0}}, {},
                             {0.0, 0.0}, 4096);
    CHECK(r.loudness_range_lu == Approx(15.0).margin(1.0));
}

TEST_CASE("mono is metered as dual mono: -23 dBFS reads I = -23.0 LUFS +-0.1", "[engine][meters]") {
    const auto r = run_tones(48000.0, {{-23.0, 10.0}}, {}, {0.0});
    CHECK(r.channels == 1);
    CHECK(r.integrated_lufs == Approx(-23.0).margin(0.1));
    CHECK(r.correlation == Approx(1.0).margin(1e-9));
}

TEST_CASE("silence reads -inf levels, zero LRA and zero correlation", "[engine][meters]") {
    Meters meters;
    meters.prepare(48000.0, 2);
    const auto r = run(meters, 2, 48000, [](std::uint64_t, std::size_t n, float* const* out) {
        std::fill_n(out[0], n, 0.0f);
        std::fill_n(out[1], n, 0.0f);
    });
    CHECK(std::isinf(r.momentary_lufs));
    CHECK(std::isinf(r.integrated_lufs));
    CHECK(std::isinf(r.sample_peak_dbfs[0].max_db));
    CHECK(std::isinf(r.true_peak_dbtp[1].max_db));
    CHECK(std::isinf(r.spectrum_db[17]));
    CHECK(r.loudness_range_lu == 0.0);
    CHECK(r.correlation == 0.0);
}

TEST_CASE("reset restarts integrated loudness and the peak maxima, not the momentary window", "[engine][meters]") {
    const double rate = 48000.0;
    const ToneProgramme loud(rate, {{-20.0, 5.0}});
    const ToneProgramme quiet(rate, {{-30.0, 5.0}});
    Meters meters;
    meters.prepare(rate, 2, {.ring_seconds = 6.0});
    run(meters, 2, loud.frames(), loud.renderer());
    CHECK(meters.readings().integrated_lufs == Approx(-20.0).margin(0.1));
    meters.reset();
    // A block of the quiet tone in one piece, so the next update() meters it right after the reset.
    std::vector<std::vector<float>> buffers(2, std::vector<float>(loud.frames()));
    std::vector<float*> pointers{buffers[0].data(), buffers[1].data()};
    quiet.render(0, buffers[0].size(), pointers.data());
    meters.tap().push(pointers.data(), 4800);
    meters.update();
    const auto just_after = meters.readings();
    CHECK(just_after.momentary_lufs > -24.0);  // still mostly the loud tone's last 400 ms
    meters.tap().push(pointers.data(), buffers[0].size());
    while (meters.update() > 0) {
    }
    const auto r = meters.readings();
    CHECK(r.integrated_lufs == Approx(-30.0).margin(0.1));
    CHECK(r.sample_peak_dbfs[0].max_db == Approx(-30.0).margin(0.01));
    CHECK(r.true_peak_dbtp[0].max_db == Approx(-30.0).margin(0.2));
}

TEST_CASE("sample peak rises at once, falls 20 dB in 1.7 s and holds for 2 s", "[engine][meters]") {
    const double rate = 48000.0;
    const ToneProgramme burst(rate, {{-6.0, 0.01}, {-200.0, 3.0}});
    Meters meters;
    meters.prepare(rate, 2);
    std::vector<MeterReadings> seen;
    seen.reserve(400);
    run(
        meters, 2, burst.frames(), burst.renderer(), [&](const MeterReadings& r) { seen.push_back(r); }, 256, 480);
    const auto at = [&](double seconds) {
        const auto frame = static_cast<std::uint64_t>(seconds * rate);
        return *std::find_if(seen.begin(), seen.end(),
                             [&](const MeterReadings& r) { return r.frames_metered >= frame; });
    };
    CHECK(at(0.01).sample_peak_dbfs[0].level_db == Approx(-6.0).margin(0.01));
    CHECK(at(1.01).sample_peak_dbfs[0].level_db == Approx(-6.0 - 20.0 / 1.7).margin(0.2));
    CHECK(at(1.9).sample_peak_dbfs[0].hold_db == Approx(-6.0).margin(0.01));
    const auto released = at(2.2);
    CHECK(released.sample_peak_dbfs[0].hold_db == released.sample_peak_dbfs[0].level_db);
    CHECK(released.sample_peak_dbfs[0].hold_db < -25.0);
    CHECK(seen.back().sample_peak_dbfs[1].max_db == Approx(-6.0).margin(0.01));
}

TEST_CASE("correlation over 300 ms: identical +1, inverted -1, independent noise near 0", "[engine][meters]") {
    const double rate = 48000.0;
    const auto n = static_cast<std::size_t>(rate);
    const auto a = test::white_noise(n, 0.1, 1);
    const auto b = test::white_noise(n, 0.1, 2);
    const auto correlation_of = [&](double right_sign, const std::vector<double>& right) {
        Meters meters;
        meters.prepare(rate, 2);
        return run(meters, 2, n,
                   [&](std::uint64_t start, std::size_t frames, float* const* out) {
                       for (std::size_t i = 0; i < frames; ++i) {
                           out[0][i] = static_cast<float>(a[start + i]);
                           out[1][i] = static_cast<float>(right_sign * right[start + i]);
                       }
                   })
            .correlation;
    };
    CHECK(correlation_of(1.0, a) == Approx(1.0).margin(1e-6));
    CHECK(correlation_of(-1.0, a) == Approx(-1.0).margin(1e-6));
    // 14400 independent samples: the estimate's standard deviation is about 1/sqrt(14400) = 0.008.
    CHECK(std::abs(correlation_of(1.0, b)) < 0.05);
}

TEST_CASE("a sine lands in its 1/3-octave band at its level", "[engine][meters]") {
    const double rate = GENERATE(48000.0, 44100.0);
    const auto [tone_hz, band] = GENERATE(table<double, std::size_t>({{1000.0, 17}, {31.5, 2}, {10000.0, 27}}));
    INFO("sample rate " << rate << ", tone " << tone_hz << " Hz");
    const double amplitude = 0.1;  // -20 dBFS
    Meters meters;
    meters.prepare(rate, 2);
    const auto r = run(meters, 2, static_cast<std::uint64_t>(2.0 * rate),
                       [&](std::uint64_t start, std::size_t frames, float* const* out) {
                           for (std::size_t i = 0; i < frames; ++i) {
                               const double t = static_cast<double>(start + i) / rate;
                               out[0][i] = out[1][i] =
                                   static_cast<float>(amplitude * std::sin(2.0 * std::numbers::pi * tone_hz * t));
                           }
                       });
    REQUIRE(r.spectrum_bands == 31);
    CHECK(engine::spectrum_band_nominal_hz(band) == Approx(tone_hz));
    const auto loudest = static_cast<std::size_t>(std::max_element(r.spectrum_db.begin(), r.spectrum_db.begin() + 31) -
                                                  r.spectrum_db.begin());
    CHECK(loudest == band);
    CHECK(r.spectrum_db[band] == Approx(-20.0).margin(0.5));
    // The Hann window's leakage reaches the neighbours of the narrow low bands (7 Hz wide
    // at 31.5 Hz, five 1.5 Hz bins), hence a looser bound next door.
    for (std::size_t b = 0; b < 31; ++b) {
        if (b == band) continue;
        INFO("band " << engine::spectrum_band_nominal_hz(b) << " Hz at " << r.spectrum_db[b] << " dB");
        CHECK(r.spectrum_db[b] < -20.0 - (b + 1 == band || b == band + 1 ? 30.0 : 55.0));
    }
}

TEST_CASE("push allocates nothing and drops whole frames when the ring is full", "[engine][meters]") {
    Meters meters;
    meters.prepare(48000.0, 2, {.ring_seconds = 0.01});  // 480 frames
    std::vector<float> left(256, 0.25f), right(256, -0.25f);
    const float* const channels[] = {left.data(), right.data()};
    std::size_t allocations = 0;
    {
        test::AllocationCounter counter;
        for (int i = 0; i < 10; ++i) meters.tap().push(channels, left.size());
        allocations = counter.count();
    }
    CHECK(allocations == 0);
    CHECK(meters.tap().writable_frames() == 0);
    CHECK(meters.tap().dropped_frames() == 10 * 256 - 480);
    while (meters.update() > 0) {
    }
    const auto r = meters.readings();
    CHECK(r.frames_metered == 480);
    CHECK(r.dropped_frames == 10 * 256 - 480);
    CHECK(r.sample_peak_dbfs[1].max_db == Approx(20.0 * std::log10(0.25)).margin(1e-4));
    CHECK(r.correlation == Approx(-1.0).margin(1e-9));
}

TEST_CASE("prepare rejects rates and layouts the meters cannot handle, saying what to use", "[engine][meters]") {
    Meters meters;
    using Catch::Matchers::Contains;
    CHECK_THROWS_AS(meters.prepare(0.0, 2), UsageError);
    CHECK_THROWS_WITH(meters.prepare(1000.0, 2), Contains("8000 to 384000"));
    CHECK_THROWS_WITH(meters.prepare(44100.5, 2), Contains("whole number of hertz"));
    CHECK_THROWS_AS(meters.prepare(std::numeric_limits<double>::quiet_NaN(), 2), UsageError);
    CHECK_THROWS_AS(meters.prepare(768000.0, 2), UsageError);
    CHECK_THROWS_WITH(meters.prepare(48000.0, 0), Contains("downmix"));
    CHECK_THROWS_WITH(meters.prepare(48000.0, 8), Contains("L R C LFE Ls Rs"));
    CHECK_THROWS_WITH(meters.prepare(48000.0, 2, {.ring_seconds = 0.0}), Contains("ring_seconds"));
    CHECK(meters.update() == 0);
    CHECK(meters.readings().channels == 0);
    meters.prepare(96000.0, 6);
    CHECK(meters.readings().channels == 6);
    CHECK(meters.readings().spectrum_bands == 31);
}
