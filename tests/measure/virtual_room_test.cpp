#include <catch2/catch.hpp>

#include <cmath>

#include "roomcal/core/error.hpp"
#include "roomcal/measure/virtual_room.hpp"

using namespace roomcal;
using namespace roomcal::measure;

namespace {

std::size_t argmax_abs(const std::vector<double>& x) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < x.size(); ++i)
        if (std::abs(x[i]) > std::abs(x[best])) best = i;
    return best;
}

double energy(const std::vector<double>& x, std::size_t from, std::size_t to) {
    double e = 0.0;
    for (std::size_t i = from; i < to && i < x.size(); ++i) e += x[i] * x[i];
    return e;
}

}  // namespace

TEST_CASE("virtual room responses are deterministic and finite", "[measure][virtual_room]") {
    const auto& room = find_builtin_room("untreated-bedroom");
    const auto a = simulate_impulse_response(room, 0, room.mic_positions[0], 48_kHz, 1u << 15);
    const auto b = simulate_impulse_response(room, 0, room.mic_positions[0], 48_kHz, 1u << 15);
    CHECK(a.samples == b.samples);
    CHECK_NOTHROW(a.validate("virtual IR"));
    const auto other_seed = simulate_impulse_response(room, 0, room.mic_positions[0], 48_kHz, 1u << 15, 2);
    CHECK(other_seed.samples != a.samples);
}

TEST_CASE("direct sound arrives at the reference time and scales with distance", "[measure][virtual_room]") {
    for (const auto& room : builtin_rooms()) {
        INFO(room.name);
        const auto near = simulate_impulse_response(room, 0, room.mic_positions[0], 48_kHz, 1u << 15);
        const double dx = room.mic_positions[0].x - room.speakers[0].position.x;
        const double dy = room.mic_positions[0].y - room.speakers[0].position.y;
        const double dz = room.mic_positions[0].z - room.speakers[0].position.z;
        const double d = std::sqrt(dx * dx + dy * dy + dz * dz);
        CHECK(near.reference_sample == Approx(64.0 + d / 343.0 * 48000.0));
        // The loudspeaker's high-pass smears the peak by a sample or two at most.
        CHECK(std::abs(static_cast<double>(argmax_abs(near.samples)) - near.reference_sample) <= 2.0);
        // Nothing arrives before the direct sound except the band-limiting kernel's skirt.
        const auto onset = static_cast<std::size_t>(near.reference_sample) - 20;
        CHECK(energy(near.samples, 0, onset) < 1e-4 * energy(near.samples, 0, near.samples.size()));
    }
}

TEST_CASE("the tail decays at the room's mid-band RT60", "[measure][virtual_room]") {
    const auto& room = find_builtin_room("living-room");
    const auto ir = simulate_impulse_response(room, 1, room.mic_positions[0], 48_kHz, 1u << 17);
    const auto t0 = static_cast<std::size_t>(ir.reference_sample + 0.1 * 48000);
    const std::size_t w = 4800;  // 100 ms windows, 200 ms apart
    const double drop_db =
        10.0 * std::log10(energy(ir.samples, t0, t0 + w) / energy(ir.samples, t0 + 4 * w, t0 + 5 * w));
    const double rt60 = 60.0 / (drop_db / 0.4);
    // Broadband decay is dominated by the low and mid bands, 0.5–0.85 s in this room.
    CHECK(rt60 > 0.45);
    CHECK(rt60 < 0.9);
}

TEST_CASE("unknown virtual rooms are refused with the list of names", "[measure][virtual_room]") {
    CHECK_THROWS_WITH(find_builtin_room("cathedral"), Catch::Contains("living-room") && Catch::Contains("cathedral"));
    const auto& room = find_builtin_room("treated-studio");
    CHECK_THROWS_AS(simulate_impulse_response(room, 5, room.mic_positions[0], 48_kHz, 8192), UsageError);
    CHECK_THROWS_AS(simulate_impulse_response(room, 0, Vec3{-1, 1, 1}, 48_kHz, 8192), UsageError);
}
