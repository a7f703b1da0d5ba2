// `roomcal render` run as a user would: a room's correction, a FIR WAV, another room's
// audition, bad input, and the output's loudness summary checked against libebur128 run
// directly on the audio.
#include <ebur128.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "roomcal/correct/audition.hpp"
#include "roomcal/io/audio_file.hpp"
#include "roomcal/io/chain_file.hpp"
#include "roomcal/io/filter_wav.hpp"
#include "roomcal/io/room_profile.hpp"
#include "roomcal/measure/virtual_room.hpp"
#include "support/test_support.hpp"

using namespace roomcal;
using test::run_cli;

namespace {

void write_tone(const std::filesystem::path& p, double rate, std::size_t channels, double amplitude) {
    AudioBuffer<float> a(channels, static_cast<std::size_t>(rate / 2));
    for (std::size_t c = 0; c < channels; ++c)
        for (std::size_t i = 0; i < a.num_frames(); ++i)
            a(c, i) = static_cast<float>(amplitude * std::sin(2.0 * M_PI * 1000.0 * i / rate));
    io::write_audio(p, a.view(), Hz(rate), io::AudioWriteFormat::wav_float32);
}

// What roomcal's summary reports, straight from libebur128 (exact mode, no histogram):
// integrated loudness, loudness range, the highest true and sample peak of any channel.
struct Loudness {
    double integrated = 0.0, range = 0.0, true_peak = 0.0, sample_peak = 0.0;
};

Loudness libebur128_loudness(const AudioBuffer<float>& a, double rate) {
    const std::size_t n = a.num_channels(), frames = a.num_frames();
    std::unique_ptr<ebur128_state, void (*)(ebur128_state*)> st(
        ebur128_init(static_cast<unsigned>(n), static_cast<unsigned long>(rate),
                     EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_TRUE_PEAK),
        [](ebur128_state* p) { ebur128_destroy(&p); });
    REQUIRE(st);
    std::vector<float> interleaved(n * frames);
    for (std::size_t c = 0; c < n; ++c)
        for (std::size_t i = 0; i < frames; ++i) interleaved[i * n + c] = a(c, i);
    REQUIRE(ebur128_add_frames_float(st.get(), interleaved.data(), frames) == EBUR128_SUCCESS);
    Loudness l;
    REQUIRE(ebur128_loudness_global(st.get(), &l.integrated) == EBUR128_SUCCESS);
    REQUIRE(ebur128_loudness_range(st.get(), &l.range) == EBUR128_SUCCESS);
    double tp = 0.0, sp = 0.0;
    for (unsigned c = 0; c < n; ++c) {
        double v = 0.0;
        ebur128_true_peak(st.get(), c, &v);
        tp = std::max(tp, v);
        ebur128_sample_peak(st.get(), c, &v);
        sp = std::max(sp, v);
    }
    l.true_peak = 20.0 * std::log10(tp);
    l.sample_peak = 20.0 * std::log10(sp);
    return l;
}

// The summary line render prints; fails the test when it is missing.
Loudness printed_loudness(const std::string& out) {
    const auto at = out.find("output: ");
    REQUIRE(at != std::string::npos);
    Loudness l;
    const int got = std::sscanf(out.c_str() + at,
                                "output: %lf LUFS integrated, LRA %lf LU, true peak %lf dBTP, sample peak %lf dBFS",
                                &l.integrated, &l.range, &l.true_peak, &l.sample_peak);
    REQUIRE(got == 4);
    return l;
}

// Printed to 0.1 dB, and the meters' histogram mode bins loudness by 0.1 LU.
void check_same(const Loudness& printed, const Loudness& expected) {
    CHECK(printed.integrated == Approx(expected.integrated).margin(0.1));
    CHECK(printed.range == Approx(expected.range).margin(0.1));
    CHECK(printed.true_peak == Approx(expected.true_peak).margin(0.06));
    CHECK(printed.sample_peak == Approx(expected.sample_peak).margin(0.06));
}

}  // namespace

TEST_CASE("render applies a room's correction at the file's rate", "[app][cli][render]") {
    test::TempDir dir;
    Room room;
    room.name = "den";
    FilterSet set;
    set.sample_rate = Hz(48000.0);
    set.description = "test: -6 dB";
    for (const char* n : {"L", "R"}) set.channels.push_back({n, -6.0206, 0.0, {}, {}, {}});
    room.corrections = {set};
    io::save_room(room, dir / "den");
    write_tone(dir / "in.wav", 48000.0, 2, 0.5);

    auto r = run_cli("render " + (dir / "in.wav").string() + " " + (dir / "out.wav").string() + " --room " +
                     (dir / "den").string());
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("test: -6 dB") != std::string::npos);
    const auto out = io::read_audio(dir / "out.wav");
    REQUIRE(out.info.num_frames == 24000);
    double peak = 0.0;
    for (std::size_t i = 0; i < out.info.num_frames; ++i) peak = std::max(peak, double(std::abs(out.audio(0, i))));
    CHECK(peak == Approx(0.25).margin(1e-4));

    // The same room at 44.1 kHz: no correction for that rate, and nothing written.
    write_tone(dir / "in44.wav", 44100.0, 2, 0.5);
    r = run_cli("render " + (dir / "in44.wav").string() + " " + (dir / "out44.wav").string() + " --room " +
                (dir / "den").string());
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("no correction for 44100 Hz") != std::string::npos);
    CHECK(r.out.find("--rate 44100") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir / "out44.wav"));
}

TEST_CASE("render takes a FIR WAV and refuses what does not fit", "[app][cli][render]") {
    test::TempDir dir;
    write_tone(dir / "in.wav", 48000.0, 2, 0.5);
    // A mono FIR for both channels: a half-gain impulse two samples late.
    AudioBuffer<float> fir(1, 8);
    fir(0, 2) = 0.5f;
    io::write_audio(dir / "fir.wav", fir.view(), Hz(48000.0), io::AudioWriteFormat::wav_float32);
    auto r = run_cli("render " + (dir / "in.wav").string() + " " + (dir / "out.wav").string() + " --fir " +
                     (dir / "fir.wav").string() + " --block 64");
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    const auto in = io::read_audio(dir / "in.wav");
    const auto out = io::read_audio(dir / "out.wav");
    for (std::size_t i = 2; i < 1000; ++i) REQUIRE(out.audio(1, i) == Approx(0.5f * in.audio(1, i - 2)).margin(1e-6));

    // A FIR with a NaN, a FIR at another rate, no source at all: each says what to do.
    fir(0, 5) = std::nanf("");
    io::write_audio(dir / "nan.wav", fir.view(), Hz(48000.0), io::AudioWriteFormat::wav_float32);
    r = run_cli("render " + (dir / "in.wav").string() + " " + (dir / "o1.wav").string() + " --fir " +
                (dir / "nan.wav").string());
    CHECK(r.exit_code != 0);
    CHECK(r.out.find("nan.wav") != std::string::npos);
    fir(0, 5) = 0.0f;
    io::write_audio(dir / "fir96.wav", fir.view(), Hz(96000.0), io::AudioWriteFormat::wav_float32);
    r = run_cli("render " + (dir / "in.wav").string() + " " + (dir / "o2.wav").string() + " --fir " +
                (dir / "fir96.wav").string());
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("use a FIR made for the file's rate") != std::string::npos);
    r = run_cli("render " + (dir / "in.wav").string() + " " + (dir / "o3.wav").string());
    CHECK(r.exit_code == 2);
    CHECK(r.out.find("--no-correction") != std::string::npos);
    for (const char* f : {"o1.wav", "o2.wav", "o3.wav"}) CHECK_FALSE(std::filesystem::exists(dir / f));
}

TEST_CASE("render runs the mastering chain from chain.json", "[app][cli][render]") {
    test::TempDir dir;
    write_tone(dir / "in.wav", 48000.0, 2, 0.9);
    MasteringChain c;
    c.makeup_db = 6.0;  // a 0.9 sine pushed 6 dB into a -1 dBTP limiter
    io::write_chain(c, dir / "chain.json");
    auto r = run_cli("render " + (dir / "in.wav").string() + " " + (dir / "out.wav").string() +
                     " --no-correction --chain " + (dir / "chain.json").string());
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("limiter at -1 dBTP") != std::string::npos);
    const auto out = io::read_audio(dir / "out.wav");
    REQUIRE(out.info.num_frames == 24000);
    float peak = 0.0f;
    for (std::size_t i = 0; i < out.info.num_frames; ++i) peak = std::max(peak, std::abs(out.audio(0, i)));
    CHECK(peak <= std::pow(10.0f, -1.0f / 20.0f) * 1.001f);
    CHECK(peak > 0.8f);

    // A typo in chain.json stops the render with the key named, and writes nothing.
    std::ofstream(dir / "bad.json") << R"({"limiter": {"celing_dbtp": -1}})";
    r = run_cli("render " + (dir / "in.wav").string() + " " + (dir / "o.wav").string() + " --no-correction --chain " +
                (dir / "bad.json").string());
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("unknown key \"celing_dbtp\"") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir / "o.wav"));
}

TEST_CASE("render prints the loudness and peaks of what it wrote", "[app][cli][render]") {
    test::TempDir dir;
    // 1 kHz at -20 dBFS peak in both channels, 5 s. BS.1770's K-weighting is +0.69 dB at
    // 1 kHz and its offset -0.691, so this reads -20.0 LUFS (as EBU Tech 3341's first case,
    // the same sine at -23 dBFS, reads -23.0): the mean square of each channel is -23 dB,
    // and the two channels add 3 dB. libebur128 confirms it below; the CLI must agree.
    const double rate = 48000.0, amplitude = std::pow(10.0, -20.0 / 20.0);
    AudioBuffer<float> tone(2, static_cast<std::size_t>(5 * rate));
    for (std::size_t c = 0; c < 2; ++c)
        for (std::size_t i = 0; i < tone.num_frames(); ++i)
            tone(c, i) = static_cast<float>(amplitude * std::sin(2.0 * M_PI * 1000.0 * i / rate));
    io::write_audio(dir / "in.wav", tone.view(), Hz(rate), io::AudioWriteFormat::wav_float32);
    const Loudness direct = libebur128_loudness(tone, rate);
    CAPTURE(direct.integrated, direct.range, direct.true_peak, direct.sample_peak);
    CHECK(direct.integrated == Approx(-20.0).margin(0.05));
    CHECK(direct.sample_peak == Approx(-20.0).margin(0.01));

    auto r = run_cli("render " + (dir / "in.wav").string() + " " + (dir / "out.wav").string() + " --no-correction");
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    check_same(printed_loudness(r.out), direct);

    // Through a FIR (half gain): the meters see the corrected output, 6.02 dB down.
    AudioBuffer<float> fir(1, 8);
    fir(0, 0) = 0.5f;
    io::write_audio(dir / "fir.wav", fir.view(), Hz(rate), io::AudioWriteFormat::wav_float32);
    r = run_cli("render " + (dir / "in.wav").string() + " " + (dir / "fir_out.wav").string() + " --fir " +
                (dir / "fir.wav").string() + " --block 4096");
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    auto printed = printed_loudness(r.out);
    check_same(printed, libebur128_loudness(io::read_audio(dir / "fir_out.wav").audio, rate));
    CHECK(printed.integrated == Approx(direct.integrated - 6.02).margin(0.1));

    // Through the mastering chain (6 dB of makeup, the limiter idle at -14 dBFS): the
    // engine's latency of leading silence reaches the meters too, and changes nothing here.
    MasteringChain c;
    c.makeup_db = 6.0;
    io::write_chain(c, dir / "chain.json");
    r = run_cli("render " + (dir / "in.wav").string() + " " + (dir / "chain_out.wav").string() +
                " --no-correction --chain " + (dir / "chain.json").string());
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    printed = printed_loudness(r.out);
    check_same(printed, libebur128_loudness(io::read_audio(dir / "chain_out.wav").audio, rate));
    CHECK(printed.integrated == Approx(direct.integrated + 6.0).margin(0.1));

    // --no-meters: no summary.
    r = run_cli("render " + (dir / "in.wav").string() + " " + (dir / "plain.wav").string() +
                " --no-correction --no-meters");
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("output: ") == std::string::npos);
}

TEST_CASE("render --as-heard-in plays another measured room's colouration after the correction", "[app][cli][render]") {
    test::TempDir dir;
    // Room B, measured (virtual living room, 2 positions); room A, a -6 dB correction.
    const auto specs = measure::builtin_rooms();
    Room b = measure::simulated_room_profile(specs.at(1), 2, Hz(48000.0), 32768);
    b.name = "living";
    io::save_room(b, dir / "living");
    Room a;
    a.name = "den";
    FilterSet half;
    half.sample_rate = Hz(48000.0);
    for (const auto& ch : b.channels) half.channels.push_back({ch.name, -6.0206, 0.0, {}, {}, {}});
    a.corrections = {half};
    io::save_room(a, dir / "den");
    // The same filter the library makes, as a FIR WAV: what --fir plays.
    correct::AuditionOptions options;
    options.sample_rate = Hz(48000.0);
    io::write_fir_wav(correct::audition_filter(b, options), dir / "heard.wav", 32768);

    AudioBuffer<float> noise(2, 48000);
    const auto l = test::white_noise(48000, 0.05, 1), r = test::white_noise(48000, 0.05, 2);
    for (std::size_t i = 0; i < 48000; ++i)
        noise(0, i) = static_cast<float>(l[i]), noise(1, i) = static_cast<float>(r[i]);
    io::write_audio(dir / "in.wav", noise.view(), Hz(48000.0), io::AudioWriteFormat::wav_float32);
    const auto in = (dir / "in.wav").string();

    auto heard = run_cli("render " + in + " " + (dir / "heard-out.wav").string() + " --no-correction --as-heard-in " +
                         (dir / "living").string());
    INFO(heard.out);
    REQUIRE(heard.exit_code == 0);
    CHECK(heard.out.find("as heard in room living") != std::string::npos);
    auto fir =
        run_cli("render " + in + " " + (dir / "fir-out.wav").string() + " --fir " + (dir / "heard.wav").string());
    INFO(fir.out);
    REQUIRE(fir.exit_code == 0);
    auto both = run_cli("render " + in + " " + (dir / "both-out.wav").string() + " --room " + (dir / "den").string() +
                        " --as-heard-in " + (dir / "living").string());
    INFO(both.out);
    REQUIRE(both.exit_code == 0);
    CHECK(both.out.find("then as heard in room living") != std::string::npos);

    const auto h = io::read_audio(dir / "heard-out.wav"), f = io::read_audio(dir / "fir-out.wav"),
               c = io::read_audio(dir / "both-out.wav");
    REQUIRE(h.info.num_frames == 48000);
    REQUIRE(f.info.num_frames == 48000);
    REQUIRE(c.info.num_frames == 48000);
    double worst_fir = 0.0, worst_half = 0.0, peak = 0.0;
    for (std::size_t ch = 0; ch < 2; ++ch)
        for (std::size_t i = 0; i < 48000; ++i) {
            peak = std::max(peak, double(std::abs(h.audio(ch, i))));
            worst_fir = std::max(worst_fir, double(std::abs(h.audio(ch, i) - f.audio(ch, i))));
            worst_half = std::max(worst_half, double(std::abs(0.5f * h.audio(ch, i) - c.audio(ch, i))));
        }
    CAPTURE(peak, worst_fir, worst_half);
    CHECK(peak > 0.01);
    CHECK(worst_fir < 1e-5 * peak);   // the room's audition filter, as the library makes it
    CHECK(worst_half < 1e-5 * peak);  // after room A's correction (-6 dB)

    // A mono file and a two-loudspeaker room: refused, nothing written.
    write_tone(dir / "mono.wav", 48000.0, 1, 0.1);
    const auto mono = run_cli("render " + (dir / "mono.wav").string() + " " + (dir / "mono-out.wav").string() +
                              " --no-correction --as-heard-in " + (dir / "living").string());
    CHECK(mono.exit_code == 1);
    CHECK(mono.out.find("room living was measured with channels") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir / "mono-out.wav"));
}
