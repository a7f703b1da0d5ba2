#include <catch2/catch.hpp>

#include <algorithm>

#include "roomcal/engine/devices.hpp"
#include "support/jack_server.hpp"

using namespace roomcal;

TEST_CASE("device listing works with no audio hardware", "[engine][devices]") {
    engine::PortAudioSession session;
    const auto list = engine::list_devices();
    // Debian's PortAudio always offers ALSA; with no card it may list nothing at all.
    CHECK_FALSE(list.host_apis.empty());
    for (const auto& d : list.devices) {
        CHECK_FALSE(d.name.empty());
        CHECK(d.max_input_channels + d.max_output_channels > 0);
    }
}

TEST_CASE("a JACK dummy server shows up as a full-duplex device", "[engine][devices][jack]") {
    test::JackServer jack(48000, 128, 2);
    INFO(jack.error());
    REQUIRE(jack.ok());
    engine::PortAudioSession session;
    const auto list = engine::list_devices();
    const auto it = std::find_if(list.devices.begin(), list.devices.end(),
                                 [](const auto& d) { return d.host_api.find("JACK") != std::string::npos; });
    REQUIRE(it != list.devices.end());
    CHECK(it->max_input_channels == 2);
    CHECK(it->max_output_channels == 2);
    CHECK(it->default_sample_rate == 48000.0);
}
