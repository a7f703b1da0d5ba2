#include <catch2/catch.hpp>

#include "roomcal/core/audio_buffer.hpp"

using namespace roomcal;

TEST_CASE("audio buffer is planar and views see its samples", "[core][audio_buffer]") {
    AudioBuffer<float> buf(2, 8);
    for (std::size_t f = 0; f < 8; ++f) {
        buf(0, f) = static_cast<float>(f);
        buf(1, f) = -static_cast<float>(f);
    }
    auto v = buf.view();
    REQUIRE(v.num_channels() == 2);
    REQUIRE(v.num_frames() == 8);
    CHECK(v.channel(1)[3] == -3.0f);

    SECTION("a frame range is a view onto the same samples") {
        auto part = v.frames(2, 4);
        CHECK(part.num_frames() == 4);
        CHECK(part(0, 0) == 2.0f);
        part(1, 3) = 42.0f;
        CHECK(buf(1, 5) == 42.0f);
    }
    SECTION("a const view reads the same data") {
        AudioView<const float> cv = v;
        CHECK(cv(0, 7) == 7.0f);
        const auto& cbuf = buf;
        CHECK(cbuf.view()(1, 2) == -2.0f);
    }
    SECTION("copies are deep and keep their own channel pointers") {
        AudioBuffer<float> copy = buf;
        copy(0, 0) = 99.0f;
        CHECK(buf(0, 0) == 0.0f);
        CHECK(copy.view()(0, 0) == 99.0f);
        AudioBuffer<float> moved = std::move(copy);
        CHECK(moved.view()(0, 0) == 99.0f);
    }
}
