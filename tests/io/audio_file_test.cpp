#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <limits>
#include <vector>

#include "roomcal/core/error.hpp"
#include "roomcal/io/audio_file.hpp"
#include "support/test_support.hpp"

using namespace roomcal;
using namespace roomcal::io;

namespace {

AudioBuffer<float> stereo_noise(std::size_t frames) {
    AudioBuffer<float> b(2, frames);
    const auto l = test::white_noise(frames, 0.3, 1);
    const auto r = test::white_noise(frames, 0.3, 2);
    for (std::size_t i = 0; i < frames; ++i) {
        b(0, i) = static_cast<float>(std::clamp(l[i], -1.0, 1.0));
        b(1, i) = static_cast<float>(std::clamp(r[i], -1.0, 1.0));
    }
    return b;
}

double max_abs_diff(const AudioBuffer<float>& a, const AudioBuffer<float>& b) {
    double d = 0.0;
    for (std::size_t c = 0; c < a.num_channels(); ++c)
        for (std::size_t i = 0; i < a.num_frames(); ++i) d = std::max(d, std::abs(double(a(c, i)) - double(b(c, i))));
    return d;
}

}  // namespace

TEST_CASE("float32 WAV round-trips bit-exactly", "[io][audio_file]") {
    test::TempDir dir;
    const auto src = stereo_noise(50000);
    write_audio(dir / "x.wav", src.view(), 44.1_kHz, AudioWriteFormat::wav_float32);
    const auto back = read_audio(dir / "x.wav");
    CHECK(back.info.sample_rate.value == 44100.0);
    CHECK(back.info.num_channels == 2);
    CHECK(back.info.format == "WAV float32");
    REQUIRE(back.audio.num_frames() == src.num_frames());
    CHECK(max_abs_diff(src, back.audio) == 0.0);
    CHECK(test::list_files(dir.path()) == std::vector<std::string>{"x.wav"});
}

TEST_CASE("24-bit WAV and FLAC round-trip within one LSB", "[io][audio_file]") {
    test::TempDir dir;
    const auto src = stereo_noise(20000);
    const double lsb = 1.0 / 8388608.0;
    for (auto [name, fmt] :
         {std::pair{"x24.wav", AudioWriteFormat::wav_pcm24}, std::pair{"x24.flac", AudioWriteFormat::flac_pcm24}}) {
        write_audio(dir / name, src.view(), 48_kHz, fmt);
        const auto back = read_audio(dir / name);
        INFO(name);
        CHECK(max_abs_diff(src, back.audio) <= lsb);
        CHECK(back.info.format.find("24-bit") != std::string::npos);
    }
    CHECK(format_for_path("a.FLAC") == AudioWriteFormat::flac_pcm24);
    CHECK(format_for_path("a.wav") == AudioWriteFormat::wav_float32);
}

TEST_CASE("integer formats clip instead of wrapping", "[io][audio_file]") {
    test::TempDir dir;
    AudioBuffer<float> b(1, 4);
    b(0, 0) = 1.5f;
    b(0, 1) = -2.0f;
    write_audio(dir / "c.wav", b.view(), 48_kHz, AudioWriteFormat::wav_pcm16);
    const auto back = read_audio(dir / "c.wav");
    CHECK(back.audio(0, 0) == Approx(1.0).margin(1e-4));
    CHECK(back.audio(0, 1) == Approx(-1.0).margin(1e-4));
}

TEST_CASE("bad audio files are rejected with the file and the reason", "[io][audio_file]") {
    test::TempDir dir;
    CHECK_THROWS_WITH(read_audio(dir / "none.wav"), Catch::Contains("none.wav") && Catch::Contains("does not exist"));
    CHECK_THROWS_WITH(read_audio(dir.path()), Catch::Contains("folder"));

    std::ofstream(dir / "text.wav") << "this is not audio at all, just some text";
    CHECK_THROWS_WITH(read_audio(dir / "text.wav"), Catch::Contains("text.wav") && Catch::Contains("cannot read"));

    std::ofstream(dir / "empty.wav").close();
    CHECK_THROWS_AS(read_audio(dir / "empty.wav"), Error);

    // A valid file cut short: the header promises more frames than the data holds.
    const auto src = stereo_noise(10000);
    write_audio(dir / "full.wav", src.view(), 48_kHz, AudioWriteFormat::wav_float32);
    const auto size = std::filesystem::file_size(dir / "full.wav");
    std::filesystem::copy_file(dir / "full.wav", dir / "cut.wav");
    std::filesystem::resize_file(dir / "cut.wav", size / 2);
    CHECK_THROWS_WITH(read_audio(dir / "cut.wav"), Catch::Contains("truncated"));

    AudioBuffer<float> nan_buf(1, 8);
    nan_buf(0, 3) = std::nanf("");
    write_audio(dir / "nan.wav", nan_buf.view(), 48_kHz, AudioWriteFormat::wav_float32);
    CHECK_THROWS_WITH(read_audio(dir / "nan.wav"), Catch::Contains("NaN"));
}

TEST_CASE("a failed write leaves nothing behind", "[io][audio_file]") {
    test::TempDir dir;
    AudioBuffer<float> many(9, 100);
    CHECK_THROWS_WITH(write_audio(dir / "x.flac", many.view(), 48_kHz, AudioWriteFormat::flac_pcm24),
                      Catch::Contains("8 channels"));
    CHECK_THROWS_WITH(write_audio(dir / "nofolder/x.wav", many.view(), 48_kHz, AudioWriteFormat::wav_float32),
                      Catch::Contains("does not exist"));
    CHECK(test::list_files(dir.path()).empty());
}

TEST_CASE("a file streamed in and out in chunks of any size is the file", "[io][audio_file]") {
    test::TempDir dir;
    const auto src = stereo_noise(70001);
    write_audio(dir / "in.wav", src.view(), 48_kHz, AudioWriteFormat::wav_float32);

    AudioReader reader(dir / "in.wav");
    CHECK(reader.info().num_frames == 70001);
    CHECK(reader.info().num_channels == 2);
    std::vector<std::vector<float>> chunk(2, std::vector<float>(20000));
    std::vector<float*> into{chunk[0].data(), chunk[1].data()};
    std::size_t calls = 0;
    write_audio_stream(dir / "out.wav", 2, 48_kHz, AudioWriteFormat::wav_float32, [&](const AudioChunkWriter& write) {
        // Chunk sizes 1, 2, 4, ... so reads end mid-way and at odd places.
        for (std::size_t want = 1;; want = std::min<std::size_t>(2 * want, 20000), ++calls) {
            const std::size_t got = reader.read(into.data(), want);
            if (got == 0) break;
            const float* from[2] = {chunk[0].data(), chunk[1].data()};
            write(from, got);
        }
    });
    CHECK(calls > 5);
    const auto back = read_audio(dir / "out.wav");
    REQUIRE(back.audio.num_frames() == src.num_frames());
    CHECK(max_abs_diff(src, back.audio) == 0.0);
    CHECK(test::list_files(dir.path()) == std::vector<std::string>{"in.wav", "out.wav"});
}

TEST_CASE("a stream that fails leaves the old file, and bad samples are named with their time", "[io][audio_file]") {
    test::TempDir dir;
    AudioBuffer<float> bad(1, 48000);
    bad(0, 36000) = std::numeric_limits<float>::infinity();
    write_audio(dir / "bad.wav", bad.view(), 48_kHz, AudioWriteFormat::wav_float32);
    write_audio(dir / "out.wav", bad.view(), 48_kHz, AudioWriteFormat::wav_pcm16);  // an earlier result
    const auto before = std::filesystem::file_size(dir / "out.wav");

    AudioReader reader(dir / "bad.wav");
    std::vector<float> chunk(4096);
    float* into[1] = {chunk.data()};
    CHECK_THROWS_WITH(write_audio_stream(dir / "out.wav", 1, 48_kHz, AudioWriteFormat::wav_float32,
                                         [&](const AudioChunkWriter& write) {
                                             for (std::size_t got; (got = reader.read(into, chunk.size())) > 0;) {
                                                 const float* from[1] = {chunk.data()};
                                                 write(from, got);
                                             }
                                         }),
                      Catch::Contains("bad.wav") && Catch::Contains("channel 1") && Catch::Contains("at 0.75 s"));
    CHECK(std::filesystem::file_size(dir / "out.wav") == before);
    CHECK(test::list_files(dir.path()) == std::vector<std::string>{"bad.wav", "out.wav"});
}
