// Tests for the HTML page writer: well-formed, self-contained, escaped, one figure per
// plot with page-unique ids, numeric columns aligned, written atomically.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "report/markup_check.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/report/html_report.hpp"
#include "support/test_support.hpp"

using namespace roomcal;
using namespace roomcal::report;

namespace {

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

Document sample_document() {
    Plot p;
    p.title = "a plot";
    p.curves.push_back({"curve", {100, 1000}, {0, 1}, "", false, 1.5, 1.0});
    p.flagged.push_back({"null", 60, 70});
    Document d;
    d.title = "Room report: <kitchen> & den";
    d.subtitle = "rooms/kitchen";
    d.warnings = {"No mic calibration: responses < 5 kHz & above"};
    Section a{"Summary", "An intro with \"quotes\".", {}, {}, {}};
    a.tables.push_back({"Filters", {"channel", "gain", "note"}, {{"L", "\u22123.0 dB", "a<b"}, {"R", "+1.5 dB", "-"}}});
    a.tables.push_back({"Room", {}, {{"created", "2024-11-20 14:02"}, {"gain", "3 dB"}}});
    Section b{"L: measured response", "", {"section warning"}, {p, p}, {}};
    d.sections = {a, b};
    return d;
}

}  // namespace

TEST_CASE("the page is well-formed self-contained HTML with every text escaped", "[report][html]") {
    const auto page = html(sample_document());
    INFO(page.substr(0, 600));
    CHECK(test::markup_problem(page).empty());
    CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(page.find("<meta charset=\"utf-8\">") != std::string::npos);
    // Nothing is fetched from elsewhere.
    for (const char* outside : {"<script", "<link", "src=", "@import", "url(http", "href=\"http"})
        CHECK(page.find(outside) == std::string::npos);

    CHECK(page.find("Room report: &lt;kitchen&gt; &amp; den") != std::string::npos);
    CHECK(page.find("responses &lt; 5 kHz &amp; above") != std::string::npos);
    CHECK(page.find("&quot;quotes&quot;") != std::string::npos);
    CHECK(page.find("<kitchen>") == std::string::npos);

    // One figure per plot, each with its own ids.
    CHECK(count(page, "<svg") == 2);
    CHECK(count(page, "<figure>") == 2);
    CHECK(count(page, "id=\"fig1-clip\"") == 1);
    CHECK(count(page, "id=\"fig2-clip\"") == 1);
    CHECK(page.find("href=\"#s2\"") != std::string::npos);
    CHECK(page.find("section warning") != std::string::npos);
}

TEST_CASE("columns of numbers are right-aligned and name-value lists are not", "[report][html]") {
    const auto page = html(sample_document());
    CHECK(page.find("<th class=\"num\">gain</th>") != std::string::npos);
    CHECK(page.find("<td class=\"num\">\u22123.0 dB</td>") != std::string::npos);
    CHECK(page.find("<td class=\"num\">+1.5 dB</td>") != std::string::npos);
    CHECK(page.find("<th>channel</th>") != std::string::npos);
    CHECK(page.find("<td>a&lt;b</td>") != std::string::npos);
    CHECK(page.find("<td>2024-11-20 14:02</td>") != std::string::npos);
    CHECK(page.find("<td>3 dB</td>") != std::string::npos);
}

TEST_CASE("the page is written atomically and a missing folder is refused", "[report][html]") {
    test::TempDir dir;
    const auto path = dir / "report.html";
    write_html(sample_document(), path);
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    CHECK(text.str() == html(sample_document()));

    const auto missing = dir / "no-such-folder" / "report.html";
    try {
        write_html(sample_document(), missing);
        FAIL("no error for a missing folder");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).find("does not exist") != std::string::npos);
    }
    CHECK(test::list_files(dir.path()) == std::vector<std::string>{"report.html"});
}
