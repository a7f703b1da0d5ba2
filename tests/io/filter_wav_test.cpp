// FIR WAV exports read back: their spectrum against ChannelFilter::response.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "roomcal/core/error.hpp"
#include "roomcal/dsp/biquad_design.hpp"
#include "roomcal/dsp/fft.hpp"
#include "roomcal/io/filter_wav.hpp"
#include "support/test_support.hpp"

using namespace roomcal;

namespace {

FilterSet peq_set(Hz rate) {
    FilterSet set;
    set.sample_rate = rate;
    set.preamp_db = -6.0;
    ChannelFilter l;
    l.channel = "L";
    l.gain_db = -6.0;
    l.delay_samples = 12.0;
    l.parametric = {{FilterType::peaking, 43.7, 7.5, -10.0},
                    {FilterType::peaking, 180.0, 2.0, 4.0},
                    {FilterType::high_shelf, 8000.0, 0.7, 3.0}};
    ChannelFilter r;
    r.channel = "R";
    r.gain_db = -4.0;
    r.parametric = {{FilterType::low_shelf, 90.0, 0.7, -5.0}, {FilterType::peaking, 2500.0, 3.0, -2.5}};
    set.channels = {l, r};
    dsp::realise_parametric(set);
    return set;
}

// Largest |measured − expected| magnitude in dB from 20 Hz to 20 kHz of `taps` (its FFT)
// against the channel's own response.
double worst_error_db(const std::vector<double>& taps, const ChannelFilter& c, Hz fs) {
    const auto spectrum = dsp::rfft(taps, taps.size());
    double worst = 0.0;
    for (std::size_t k = 1; k < spectrum.size(); ++k) {
        const double f = static_cast<double>(k) * fs.value / static_cast<double>(taps.size());
        if (f < 20.0 || f > 20000.0) continue;
        worst = std::max(worst, std::abs(20.0 * std::log10(std::abs(spectrum[k]) / std::abs(c.response(Hz(f), fs)))));
    }
    return worst;
}

}  // namespace

TEST_CASE("FIR WAV of a PEQ correction reads back with the correction's response", "[io][filter_wav]") {
    test::TempDir dir;
    for (double rate : {44100.0, 48000.0, 96000.0}) {
        const auto set = peq_set(Hz(rate));
        const std::size_t taps = rate > 50000.0 ? 131072 : 65536;
        const auto path = dir / "peq.wav";
        io::write_fir_wav(set, path, taps);
        const auto back = io::read_fir_wav(path);
        CHECK(back.sample_rate.value == rate);
        REQUIRE(back.channels.size() == 2);
        REQUIRE(back.channels[0].size() == taps);
        // The delay is in the file: nothing before sample 12 of L.
        for (std::size_t i = 0; i < 12; ++i) CHECK(back.channels[0][i] == 0.0);
        for (std::size_t c = 0; c < 2; ++c) {
            CAPTURE(rate, c);
            CHECK(worst_error_db(back.channels[c], set.channels[c], Hz(rate)) < 0.01);
        }
    }
}

TEST_CASE("FIR WAV of a correction with an FIR reads back with its response", "[io][filter_wav]") {
    test::TempDir dir;
    auto set = peq_set(Hz(48000.0));
    // A decaying noise FIR, as a measured-response correction looks.
    auto fir = test::white_noise(4096, 0.05, 3);
    for (std::size_t i = 0; i < fir.size(); ++i) fir[i] *= std::exp(-static_cast<double>(i) / 400.0);
    fir[0] += 1.0;
    set.channels[0].fir = fir;
    set.channels[1].fir = fir;
    set.channels[1].parametric.clear();
    set.channels[1].biquads.clear();
    io::write_fir_wav(set, dir / "fir.wav", 65536);
    const auto back = io::read_fir_wav(dir / "fir.wav");
    REQUIRE(back.channels.size() == 2);
    for (std::size_t c = 0; c < 2; ++c) {
        CAPTURE(c);
        CHECK(worst_error_db(back.channels[c], set.channels[c], Hz(48000.0)) < 0.01);
    }
}

TEST_CASE("FIR WAV refuses a length that would cut the correction and writes nothing", "[io][filter_wav]") {
    test::TempDir dir;
    auto set = peq_set(Hz(48000.0));
    // A 20 Hz, Q 20 bell rings for seconds: 4096 taps would drop much of it.
    set.channels[0].parametric.push_back({FilterType::peaking, 20.0, 20.0, -12.0});
    dsp::realise_parametric(set);
    try {
        io::write_fir_wav(set, dir / "short.wav", 4096);
        FAIL("expected a UsageError");
    } catch (const UsageError& e) {
        CHECK(std::string(e.what()).find("channel L") != std::string::npos);
        CHECK(std::string(e.what()).find("8192 taps") != std::string::npos);
    }
    set.channels[1].fir.assign(5000, 0.0);
    set.channels[1].fir[0] = 1.0;
    CHECK_THROWS_AS(io::write_fir_wav(set, dir / "short.wav", 4096), UsageError);
    CHECK(test::list_files(dir.path()).empty());
}

TEST_CASE("a channel's FIR alone is written mono", "[io][filter_wav]") {
    test::TempDir dir;
    ChannelFilter c;
    c.channel = "L";
    c.fir = {0.5, 0.25, -0.125};
    io::write_channel_fir_wav(c, Hz(44100.0), dir / "l.wav");
    const auto back = io::read_fir_wav(dir / "l.wav");
    CHECK(back.sample_rate.value == 44100.0);
    REQUIRE(back.channels.size() == 1);
    CHECK(back.channels[0] == c.fir);
    c.fir.clear();
    CHECK_THROWS_AS(io::write_channel_fir_wav(c, Hz(44100.0), dir / "none.wav"), Error);
}
