#include <catch2/catch.hpp>

#include <thread>
#include <vector>

#include "roomcal/rt/spsc_ring.hpp"

using roomcal::rt::SpscRing;

TEST_CASE("ring keeps order and never overfills", "[rt][spsc_ring]") {
    SpscRing<int> ring(4);
    const std::vector<int> in{1, 2, 3, 4, 5, 6};
    CHECK(ring.push(in) == 4);
    CHECK(ring.size() == 4);
    std::vector<int> out(3);
    CHECK(ring.pop(out) == 3);
    CHECK(out == std::vector<int>{1, 2, 3});
    CHECK(ring.push(std::span<const int>(in).subspan(4)) == 2);
    std::vector<int> rest(8);
    CHECK(ring.pop(rest) == 3);
    CHECK(rest[0] == 4);
    CHECK(rest[1] == 5);
    CHECK(rest[2] == 6);
}

TEST_CASE("ring hands a million items between two threads intact", "[rt][spsc_ring]") {
    SpscRing<unsigned> ring(1000);
    constexpr unsigned total = 1'000'000;
    std::thread producer([&] {
        unsigned next = 0;
        std::vector<unsigned> block(64);
        while (next < total) {
            const unsigned n = std::min<unsigned>(64, total - next);
            for (unsigned i = 0; i < n; ++i) block[i] = next + i;
            next += static_cast<unsigned>(ring.push(std::span<const unsigned>(block.data(), n)));
        }
    });
    unsigned expected = 0;
    bool in_order = true;
    std::vector<unsigned> out(100);
    while (expected < total) {
        const auto got = ring.pop(out);
        for (std::size_t i = 0; i < got; ++i) in_order = in_order && out[i] == expected++;
    }
    producer.join();
    CHECK(in_order);
    CHECK(ring.size() == 0);
}
