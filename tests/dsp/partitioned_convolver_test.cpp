// The partitioned convolver against a double-precision FFT reference: random filter
// lengths up to 200000 taps, random blocks, call sizes that change between calls.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "roomcal/core/error.hpp"
#include "roomcal/dsp/fft.hpp"
#include "roomcal/dsp/partitioned_convolver.hpp"

using namespace roomcal;
using namespace roomcal::dsp;

namespace {

// The first x.size() samples of x * h, in double precision.
std::vector<double> reference(const std::vector<float>& x, const std::vector<float>& h) {
    const std::size_t n = next_fast_size(x.size() + h.size());
    const std::vector<double> xd(x.begin(), x.end()), hd(h.begin(), h.end());
    auto a = rfft(xd, n);
    const auto b = rfft(hd, n);
    for (std::size_t k = 0; k < a.size(); ++k) a[k] *= b[k];
    auto y = irfft(a, n);
    y.resize(x.size());
    return y;
}

double relative_rms_error(const std::vector<float>& got, const std::vector<double>& want) {
    double e = 0.0, s = 0.0;
    for (std::size_t i = 0; i < want.size(); ++i) {
        e += (got[i] - want[i]) * (got[i] - want[i]);
        s += want[i] * want[i];
    }
    return std::sqrt(e / s);
}

// Runs x through a convolver prepared with h, in calls of random sizes 1..max_call.
std::vector<float> run(PartitionedConvolver& c, const std::vector<float>& x, std::size_t max_call, std::mt19937& rng) {
    std::vector<float> y(x.size());
    std::uniform_int_distribution<std::size_t> call(1, max_call);
    for (std::size_t i = 0; i < x.size();) {
        const std::size_t n = std::min(call(rng), x.size() - i);
        c.process(x.data() + i, y.data() + i, n);
        i += n;
    }
    return y;
}

std::vector<float> noise(std::size_t n, std::mt19937& rng) {
    std::normal_distribution<float> g(0.0f, 1.0f);
    std::vector<float> v(n);
    for (auto& s : v) s = g(rng);
    return v;
}

}  // namespace

TEST_CASE("the layout covers the filter with levels that are due in time", "[dsp][convolver]") {
    for (std::size_t taps : {1u, 64u, 511u, 512u, 513u, 65536u, 200000u}) {
        const auto l = convolver_layout(taps, {64, 16384});
        REQUIRE_FALSE(l.empty());
        CHECK(l.front().size == 64);
        CHECK(l.front().offset == 0);
        std::size_t end = 0;
        for (std::size_t k = 0; k < l.size(); ++k) {
            CAPTURE(taps, k, l[k].size, l[k].offset, l[k].partitions);
            CHECK(l[k].offset == end);
            if (k > 0) CHECK(l[k].offset >= 2 * l[k].size);  // due one period after its input
            CHECK(l[k].size <= 16384);
            end = l[k].offset + l[k].size * l[k].partitions;
        }
        CHECK(end >= taps);
        CHECK(end < taps + l.back().size);
    }
    // 65536 taps at 64: 8 × 64, then 6 per level up to 16384.
    const auto l = convolver_layout(65536, {64, 16384});
    REQUIRE(l.size() == 5);
    CHECK(l[0].partitions == 8);
    CHECK(l[1].partitions == 6);
    CHECK(l[4].size == 16384);
    CHECK(l[4].partitions == 2);
}

TEST_CASE("the convolver equals a double-precision reference within 1e-6", "[dsp][convolver]") {
    const auto schedule = GENERATE(ConvolverSchedule::caller, ConvolverSchedule::worker);
    CAPTURE(schedule == ConvolverSchedule::worker ? "worker" : "caller");
    std::mt19937 rng(20261124);
    std::vector<std::size_t> lengths{1, 2, 63, 64, 65, 511, 512, 513, 4095, 65536, 200000};
    std::uniform_int_distribution<std::size_t> any_length(1, 200000);
    for (int i = 0; i < 8; ++i) lengths.push_back(any_length(rng));
    std::uniform_int_distribution<int> block_log(4, 9);
    for (std::size_t taps : lengths) {
        const std::size_t block = std::size_t{1} << block_log(rng);
        const auto h = noise(taps, rng);
        const auto x = noise(taps + 3 * block + 1000, rng);
        PartitionedConvolver c;
        c.prepare(h, {block, 16384, PlanRigor::estimate, schedule});
        CHECK(c.schedule() == (taps > 2 * block ? schedule : ConvolverSchedule::caller));
        const std::size_t max_call = 3 * block;
        const auto y = run(c, x, max_call, rng);
        const double err = relative_rms_error(y, reference(x, h));
        CAPTURE(taps, block, max_call, err);
        CHECK(err <= 1e-6);
        // After reset, the same input gives the same output again.
        c.reset();
        const auto again = run(c, x, block, rng);
        CHECK(relative_rms_error(again, reference(x, h)) <= 1e-6);
    }
}

TEST_CASE("a job the worker has not started by its deadline is done by the caller, not waited for",
          "[dsp][convolver]") {
    // One call of many blocks: the caller reaches each level's next hand-over within
    // microseconds, before a sleeping worker can even wake, so it takes jobs back.
    std::mt19937 rng(5);
    const auto h = noise(70000, rng);
    const auto x = noise(200000, rng);
    PartitionedConvolver c;
    c.prepare(h, {16, 4096, PlanRigor::estimate, ConvolverSchedule::worker});
    REQUIRE(c.layout().size() >= 4);
    std::vector<float> y(x.size());
    c.process(x.data(), y.data(), x.size());
    CAPTURE(c.taken_back(), c.late());
    CHECK(c.taken_back() > 0);
    CHECK(relative_rms_error(y, reference(x, h)) <= 1e-6);
}

TEST_CASE("a convolver on the worker schedule keeps working when moved and re-prepared", "[dsp][convolver]") {
    std::mt19937 rng(7);
    const auto h = noise(30000, rng), x = noise(40000, rng);
    std::vector<PartitionedConvolver> many;
    for (int i = 0; i < 3; ++i) {  // the vector reallocates: moved convolvers keep their worker
        many.emplace_back();
        many.back().prepare(h, {64, 4096, PlanRigor::estimate, ConvolverSchedule::worker});
    }
    PartitionedConvolver assigned;
    assigned.prepare(noise(100000, rng), {64, 4096, PlanRigor::estimate, ConvolverSchedule::worker});
    assigned = std::move(many[2]);  // the old worker stops, the moved one carries on
    for (auto* c : {&many[0], &many[1], &assigned}) {
        REQUIRE(c->schedule() == ConvolverSchedule::worker);
        CHECK(relative_rms_error(run(*c, x, 256, rng), reference(x, h)) <= 1e-6);
    }
    // Re-prepared for the caller schedule, the worker is gone and the result is the same.
    assigned.prepare(h, {64, 4096, PlanRigor::estimate, ConvolverSchedule::caller});
    CHECK(assigned.schedule() == ConvolverSchedule::caller);
    CHECK(relative_rms_error(run(assigned, x, 100, rng), reference(x, h)) <= 1e-6);
}

TEST_CASE("the convolver adds no latency and works in place", "[dsp][convolver]") {
    std::vector<float> h(5000, 0.0f);
    h[0] = 1.0f;
    h[4321] = -0.5f;
    PartitionedConvolver c;
    c.prepare(h, {64, 1024, PlanRigor::estimate});
    std::vector<float> x(6000, 0.0f);
    x[10] = 1.0f;
    c.process(x.data(), x.data(), 37);  // in place, a block that does not divide 64
    c.process(x.data() + 37, x.data() + 37, x.size() - 37);
    CHECK(x[10] == Approx(1.0f).margin(1e-6));
    CHECK(x[4331] == Approx(-0.5f).margin(1e-6));
    double rest = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i)
        if (i != 10 && i != 4331) rest = std::max(rest, static_cast<double>(std::abs(x[i])));
    CHECK(rest < 1e-6);
}

TEST_CASE("the convolver refuses filters it cannot run", "[dsp][convolver]") {
    PartitionedConvolver c;
    std::vector<float> h(100, 0.1f);
    h[57] = std::nanf("");
    CHECK_THROWS_WITH(c.prepare(h), Catch::Contains("tap 57") && Catch::Contains("NaN"));
    h[57] = INFINITY;
    CHECK_THROWS_WITH(c.prepare(h), Catch::Contains("tap 57"));
    CHECK_THROWS_WITH(c.prepare(std::vector<float>{}), Catch::Contains("no taps"));
    CHECK_THROWS_WITH(c.prepare(std::vector<float>(10, 1.0f), {100}), Catch::Contains("power of two"));
    CHECK_FALSE(c.prepared());
    // Unprepared, it outputs silence, never noise.
    std::vector<float> x(64, 1.0f);
    c.process(x.data(), x.data(), x.size());
    for (float v : x) CHECK(v == 0.0f);
}
