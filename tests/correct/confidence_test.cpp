// Confidence on synthetic positions: what is boosted, what is left alone.
#include <catch2/catch.hpp>
#include <cmath>

#include "roomcal/correct/confidence.hpp"
#include "roomcal/correct/room_data.hpp"

using namespace roomcal;
using namespace roomcal::correct;

namespace {

// A Gaussian bump in log-frequency: `db` at `centre`, `octaves` wide (standard deviation).
double bump(double f, double centre, double octaves, double db) {
    const double x = std::log2(f / centre) / octaves;
    return db * std::exp(-0.5 * x * x);
}

bool any_in(const std::vector<char>& flags, const std::vector<double>& grid, double lo, double hi) {
    for (std::size_t i = 0; i < grid.size(); ++i)
        if (grid[i] >= lo && grid[i] <= hi && flags[i]) return true;
    return false;
}

}  // namespace

TEST_CASE("confidence boosts broad agreed dips and leaves nulls alone", "[correct][confidence]") {
    const auto& grid = analysis_grid();
    std::vector<std::vector<double>> positions(5, std::vector<double>(grid.size(), 0.0));
    for (std::size_t p = 0; p < positions.size(); ++p)
        for (std::size_t i = 0; i < grid.size(); ++i) {
            const double f = grid[i];
            double& db = positions[p][i];
            db += bump(f, 60.0, 0.4, -5.0);                                      // broad dip, the same everywhere
            db += bump(f, 150.0, 0.01, -20.0);                                   // narrow notch, the same everywhere
            db += bump(f, 400.0 * std::pow(2.0, 0.3 * (p - 2.0)), 0.25, -15.0);  // a null that moves
            db += bump(f, 2000.0, 0.1, -12.0);                                   // a deep dip at every position
            if (f < 30.0) db += 40.0 * std::log10(f / 30.0);                     // the speaker's roll-off
        }
    const auto c = assess_confidence(grid, positions);
    REQUIRE(c.positions == 5);
    CHECK(c.note.empty());
    // The broad dip: agreed, not narrow, not deep enough: boosted at full trust.
    CHECK_FALSE(any_in(c.no_boost, grid, 50.0, 72.0));
    CHECK_FALSE(any_in(c.narrow, grid, 50.0, 72.0));
    for (std::size_t i = 0; i < grid.size(); ++i)
        if (grid[i] >= 50.0 && grid[i] <= 72.0) CHECK(c.weight[i] == Approx(1.0));
    // The notch: narrow, never chased, but it does not stop boosts around it.
    CHECK(any_in(c.narrow, grid, 147.0, 153.0));
    CHECK_FALSE(any_in(c.no_boost, grid, 120.0, 180.0));
    // The moving null: positions disagree by more than 5 dB: no boost.
    CHECK(any_in(c.no_boost, grid, 350.0, 460.0));
    // The deep dip: no boost at its centre, a ramp beside it.
    CHECK(any_in(c.no_boost, grid, 1990.0, 2010.0));
    CHECK(any_in(c.guard, grid, 1500.0, 2600.0));
    // The roll-off is not a dip.
    CHECK_FALSE(any_in(c.no_boost, grid, 20.0, 40.0));
    CHECK(c.null_ranges().size() >= 3);
}

TEST_CASE("confidence from one position says so", "[correct][confidence]") {
    const auto& grid = analysis_grid();
    const auto c = assess_confidence(grid, {std::vector<double>(grid.size(), 0.0)});
    CHECK(c.note.find("one position") != std::string::npos);
    for (double s : c.spread_db) CHECK(s == 0.0);
    CHECK_THROWS(assess_confidence(grid, {std::vector<double>(3, 0.0)}));
}
