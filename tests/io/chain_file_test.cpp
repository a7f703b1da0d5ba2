// chain.json: round trip, defaults, and every kind of bad file named.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "roomcal/core/error.hpp"
#include "roomcal/io/chain_file.hpp"
#include "support/test_support.hpp"

using namespace roomcal;

TEST_CASE("a chain survives chain.json unchanged", "[io][chain]") {
    MasteringChain c;
    c.eq = {{{FilterType::peaking, 60.0, 1.2, -1.5}, true},
            {{FilterType::high_shelf, 8000.0, 0.7, 1.0}, false},
            {{FilterType::high_pass, 25.0, 0.71, 0.0}, true}};
    c.makeup_db = 1.5;
    c.limiter = {true, -1.2, 250.0, 3.0};
    test::TempDir dir;
    io::write_chain(c, dir / "chain.json");
    CHECK(io::read_chain(dir / "chain.json") == c);
    // Missing keys take the defaults.
    const auto d = io::parse_chain(R"({"eq": [{"type": "PK", "frequency_hz": 100, "gain_db": 2}]})", "mini.json");
    REQUIRE(d.eq.size() == 1);
    CHECK(d.eq[0].filter.q == Approx(0.7071));
    CHECK(d.limiter.enabled);
    CHECK(d.limiter.ceiling_dbtp == -1.0);
}

TEST_CASE("a bad chain.json names the file, the key and the problem", "[io][chain]") {
    auto fails_with = [](const std::string& text, const std::string& part) {
        CAPTURE(text);
        CHECK_THROWS_WITH(io::parse_chain(text, "c.json"), Catch::Contains("c.json") && Catch::Contains(part));
    };
    fails_with(R"({"limter": {}})", "unknown key \"limter\"");
    fails_with(R"({"eq": [{"type": "PK", "frequency_hz": 100, "gian_db": 2}]})", "eq[0]: unknown key \"gian_db\"");
    fails_with(R"({"eq": [{"type": "XX", "frequency_hz": 100}]})", "not a filter type");
    fails_with(R"({"eq": [{"type": "PK", "frequency_hz": 30000}]})", "frequency 30000 Hz is outside 10–24000 Hz");
    fails_with(R"({"limiter": {"ceiling_dbtp": 2}})", "limiter ceiling 2 dBTP is outside");
    fails_with(R"({"limiter": {"release_ms": "fast"}})", "limiter.release_ms: expected a number");
    fails_with(R"({"makeup_db": 40})", "makeup gain");
    fails_with(R"({"roomcal_chain": 2})", "chain format 1");
    fails_with("{not json", "not valid JSON");
    test::TempDir dir;
    CHECK_THROWS_AS(io::read_chain(dir / "missing.json"), Error);
}
