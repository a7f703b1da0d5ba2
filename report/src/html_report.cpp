// HTML page writer: a contents list, a warnings box, then each section's intro,
// warnings, plots (inline SVG) and tables, styled by one inline style sheet that also
// serves print (no breaks inside figures or table rows).
#include "roomcal/report/html_report.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "roomcal/core/atomic_file.hpp"

namespace roomcal::report {
namespace {

constexpr const char* style_sheet = R"css(
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f4f2; color: #1d1d1d;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 960px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
header h1 { font-size: 26px; margin: 8px 0 2px; letter-spacing: -0.01em; }
header .subtitle { color: #555; margin: 0 0 12px; }
nav { font-size: 13px; color: #555; border-top: 1px solid #e4e4e4; border-bottom: 1px solid #e4e4e4;
  padding: 6px 0; margin-bottom: 8px; display: flex; flex-wrap: wrap; gap: 2px 16px; }
nav a { color: #0b5d91; text-decoration: none; white-space: nowrap; }
nav a:hover { text-decoration: underline; }
h2 { font-size: 20px; margin: 34px 0 6px; padding-bottom: 4px; border-bottom: 2px solid #0072B2; }
h3 { font-size: 15px; margin: 18px 0 6px; color: #333; }
p.intro { margin: 6px 0 12px; color: #333; max-width: 78ch; }
.warnings { border-left: 4px solid #D55E00; background: #fdf3ec; padding: 8px 14px 8px 14px; margin: 12px 0; }
.warnings h2 { border: none; font-size: 16px; margin: 0 0 4px; padding: 0; color: #9a3c00; }
.warnings ul { margin: 0; padding-left: 20px; }
.warnings li { margin: 2px 0; }
figure { margin: 14px 0 18px; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; width: 100%; height: auto; max-width: 900px; }
table { border-collapse: collapse; margin: 2px 0 16px; font-size: 13.5px; font-variant-numeric: tabular-nums; }
h3.table-title { font-size: 14px; margin: 14px 0 4px; break-after: avoid; page-break-after: avoid; }
th, td { padding: 3px 12px 3px 8px; border-bottom: 1px solid #e6e6e6; vertical-align: top; }
th { text-align: left; border-bottom: 2px solid #bbb; font-weight: 600; background: #fafafa; }
td.num, th.num { text-align: right; white-space: nowrap; }
tr { break-inside: avoid; page-break-inside: avoid; }
footer { margin-top: 36px; font-size: 12px; color: #777; border-top: 1px solid #e4e4e4; padding-top: 8px; }
@media print {
  body { background: #fff; font-size: 11pt; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  a { color: inherit; }
}
@page { margin: 14mm; }
)css";

std::string esc(const std::string& s) { return escape_xml(s); }

// A number, possibly signed, with at most a short unit after it: "-3.2 dB", "0.45 s",
// "1.25k Hz". Dates, spans and sentences are not.
bool reads_as_number(const std::string& cell) {
    std::size_t i = 0;
    if (cell.compare(0, 3, "\u2212") == 0)
        i = 3;
    else if (!cell.empty() && (cell[0] == '-' || cell[0] == '+'))
        i = 1;
    const std::size_t digits_from = i;
    while (i < cell.size() && (std::isdigit(static_cast<unsigned char>(cell[i])) || cell[i] == '.')) ++i;
    if (i == digits_from) return false;
    if (i < cell.size() && cell[i] == 'k') ++i;
    while (i < cell.size() && cell[i] == ' ') ++i;
    const std::string unit = cell.substr(i);
    return unit.size() <= 7 && std::all_of(unit.begin(), unit.end(), [](unsigned char c) { return std::isalpha(c); });
}

bool is_placeholder(const std::string& cell) { return cell.empty() || cell == "\u2013"; }

// Columns of numbers are right-aligned, header included, so their digits line up; a
// column is one when most of its cells read as numbers. Tables without a header are
// name/value lists and stay left-aligned.
std::vector<bool> numeric_columns(const Table& t) {
    std::vector<bool> numeric(t.header.size(), false);
    for (std::size_t c = 0; c < t.header.size(); ++c) {
        int numbers = 0, others = 0;
        for (const auto& row : t.rows) {
            if (c >= row.size() || is_placeholder(row[c])) continue;
            (reads_as_number(row[c]) ? numbers : others) += 1;
        }
        numeric[c] = numbers > 0 && numbers >= 3 * others;
    }
    return numeric;
}

void write_table(std::ostringstream& s, const Table& t) {
    // The title sits above the table rather than in a <caption>, which would wrap to the
    // width of a narrow table.
    if (!t.title.empty()) s << "<h3 class=\"table-title\">" << esc(t.title) << "</h3>\n";
    s << "<table>\n";
    const auto numeric = numeric_columns(t);
    auto open_cell = [&](const char* tag, std::size_t c) {
        return std::string("<") + tag + (c < numeric.size() && numeric[c] ? " class=\"num\">" : ">");
    };
    if (!t.header.empty()) {
        s << "<thead><tr>";
        for (std::size_t c = 0; c < t.header.size(); ++c) s << open_cell("th", c) << esc(t.header[c]) << "</th>";
        s << "</tr></thead>\n";
    }
    s << "<tbody>\n";
    for (const auto& row : t.rows) {
        s << "<tr>";
        for (std::size_t c = 0; c < row.size(); ++c) s << open_cell("td", c) << esc(row[c]) << "</td>";
        s << "</tr>\n";
    }
    s << "</tbody>\n</table>\n";
}

void write_warnings(std::ostringstream& s, const std::vector<std::string>& warnings, const std::string& heading) {
    if (warnings.empty()) return;
    s << "<div class=\"warnings\">\n";
    if (!heading.empty()) s << "<h2>" << esc(heading) << "</h2>\n";
    s << "<ul>\n";
    for (const auto& w : warnings) s << "<li>" << esc(w) << "</li>\n";
    s << "</ul>\n</div>\n";
}

}  // namespace

std::string html(const Document& doc) {
    std::ostringstream s;
    s << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<meta name=\"generator\" content=\"roomcal\">\n"
      << "<title>" << esc(doc.title) << "</title>\n<style>" << style_sheet << "</style>\n</head>\n<body>\n<main>\n";
    s << "<header>\n<h1>" << esc(doc.title) << "</h1>\n";
    if (!doc.subtitle.empty()) s << "<p class=\"subtitle\">" << esc(doc.subtitle) << "</p>\n";
    s << "</header>\n";
    if (doc.sections.size() > 1) {
        s << "<nav>";
        for (std::size_t i = 0; i < doc.sections.size(); ++i)
            s << "<a href=\"#s" << i + 1 << "\">" << esc(doc.sections[i].title) << "</a>\n";
        s << "</nav>\n";
    }
    write_warnings(s, doc.warnings, "Things to know");

    int figure = 0;
    for (std::size_t i = 0; i < doc.sections.size(); ++i) {
        const auto& sec = doc.sections[i];
        s << "<section id=\"s" << i + 1 << "\">\n<h2>" << esc(sec.title) << "</h2>\n";
        if (!sec.intro.empty()) s << "<p class=\"intro\">" << esc(sec.intro) << "</p>\n";
        write_warnings(s, sec.warnings, "");
        for (const auto& plot : sec.plots)
            s << "<figure>\n" << svg(plot, "fig" + std::to_string(++figure)) << "</figure>\n";
        for (const auto& table : sec.tables) write_table(s, table);
        s << "</section>\n";
    }
    s << "<footer>Written by roomcal. Plots: levels in dB, frequencies on a log axis; "
         "hatched spans mark what the correction leaves alone.</footer>\n";
    s << "</main>\n</body>\n</html>\n";
    return s.str();
}

void write_html(const Document& doc, const std::filesystem::path& path) { write_text_file_atomically(path, html(doc)); }

}  // namespace roomcal::report
