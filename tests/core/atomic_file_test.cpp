#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "roomcal/core/atomic_file.hpp"
#include "roomcal/core/error.hpp"
#include "support/test_support.hpp"

using namespace roomcal;

namespace {
std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}
}  // namespace

TEST_CASE("atomic writes replace whole files or leave them untouched", "[core][atomic_file]") {
    test::TempDir dir;
    const auto target = dir / "a.txt";
    write_text_file_atomically(target, "first");
    CHECK(slurp(target) == "first");

    // A writer that fails half-way leaves the old content and no temporary file.
    CHECK_THROWS(write_file_atomically(target, [](const std::filesystem::path& tmp) {
        std::ofstream(tmp) << "half";
        throw Error("simulated failure");
    }));
    CHECK(slurp(target) == "first");
    CHECK(test::list_files(dir.path()) == std::vector<std::string>{"a.txt"});

    CHECK_THROWS_WITH(write_text_file_atomically(dir / "missing/b.txt", "x"), Catch::Contains("does not exist"));
}
