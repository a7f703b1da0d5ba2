// roomcal-monitor in a real window: under Xvfb with Mesa's software OpenGL, on a virtual
// room, it renders the monitor page with the demo mix playing and writes a PNG of itself
// and its frame build times.
#include <stb_image.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "support/test_support.hpp"

using namespace roomcal;

namespace {

std::string monitor_path() {
    return (std::filesystem::path(ROOMCAL_CLI_PATH).parent_path() / "roomcal-monitor").string();
}

}  // namespace

TEST_CASE("roomcal-monitor renders a page under Xvfb and writes its screenshot and frame times", "[ui][xvfb][slow]") {
    if (std::system("command -v xvfb-run >/dev/null 2>&1") != 0) FAIL("xvfb-run is missing: install the xvfb package");
    test::TempDir dir;
    const auto png = dir / "monitor.png", stats = dir / "stats.json";
    const std::string cmd = "xvfb-run -a -s '-screen 0 1600x1000x24' " + monitor_path() +
                            " --simulate treated-studio --config " + (dir / "config").string() +
                            " --page monitor --play --frames 90 --screenshot " + png.string() + " --frame-stats " +
                            stats.string() + " > " + (dir / "log.txt").string() + " 2>&1";
    const int rc = std::system(cmd.c_str());
    std::ifstream log(dir / "log.txt");
    const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    INFO(text);
    REQUIRE(rc == 0);

    int w = 0, h = 0, n = 0;
    unsigned char* pixels = stbi_load(png.c_str(), &w, &h, &n, 3);
    REQUIRE(pixels != nullptr);
    CHECK(w == 1400);
    CHECK(h == 860);
    // A rendered page, not a blank or single-colour window: plots, meters and text make
    // hundreds of distinct colours.
    std::set<int> colours;
    for (int i = 0; i < w * h; i += 7) colours.insert(pixels[3 * i] << 16 | pixels[3 * i + 1] << 8 | pixels[3 * i + 2]);
    stbi_image_free(pixels);
    CHECK(colours.size() > 200);

    std::ifstream in(stats);
    const auto j = nlohmann::json::parse(in);
    CHECK(j.at("frames").get<int>() > 0);
    CHECK(j.at("audio_callbacks").get<int>() > 0);  // the engine ran while the page drew
    CHECK(j.at("median_ms").get<double>() > 0.0);
}
