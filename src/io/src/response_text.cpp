// Text response formats: one tokenizer and table check shared by the mic-calibration,
// response and house-curve readers; the writer emits REW's text export layout.
#include "roomcal/io/response_text.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <numbers>
#include <optional>
#include <regex>
#include <string_view>

#include "roomcal/core/atomic_file.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "text_file.hpp"

namespace roomcal::io {
namespace fs = std::filesystem;

namespace {

using text::is_space;
using text::quoted;
using text::read_whole_file;
using text::split_lines;
using text::trim;

constexpr std::string_view layout_hint = "expected lines of \"frequency_Hz dB [phase_deg]\"";

// A decimal number with an optional sign; nothing else may follow it.
std::optional<double> to_number(std::string_view s) {
    if (s.size() > 1 && s.front() == '+' && s[1] != '-') s.remove_prefix(1);
    double value = 0.0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return value;
}

struct Line {
    const fs::path& path;
    std::size_t number;
    std::string_view text;

    [[noreturn]] void fail(const std::string& what) const {
        throw Error(path.string() + ": line " + std::to_string(number) + " " + quoted(text, 60) + ": " + what);
    }
};

double parse_number(const Line& line, std::string_view field) {
    const auto value = to_number(field);
    if (!value)
        line.fail(quoted(field, 60) + " is not a number; " + std::string(layout_hint) + "; fix or remove the line");
    if (!std::isfinite(*value)) line.fail(quoted(field, 60) + " is not a finite number; fix or remove the line");
    return *value;
}

// Whitespace separates fields unless the line has semicolons (then they do) or commas
// (then they do). Whitespace inside such a field, or a comma inside a semicolon-separated
// field, means decimal commas or mixed separators: rejected, since guessing could shift
// every value into the wrong column.
std::vector<std::string_view> split_fields(const Line& line) {
    const std::string_view text = line.text;
    std::vector<std::string_view> fields;
    const bool semicolons = text.find(';') != std::string_view::npos;
    if (!semicolons && text.find(',') == std::string_view::npos) {
        for (std::size_t i = 0; i < text.size();) {
            while (i < text.size() && is_space(text[i])) ++i;
            const std::size_t start = i;
            while (i < text.size() && !is_space(text[i])) ++i;
            if (i > start) fields.push_back(text.substr(start, i - start));
        }
        return fields;
    }
    const char separator = semicolons ? ';' : ',';
    for (std::size_t start = 0;;) {
        const std::size_t end = text.find(separator, start);
        const std::string_view field =
            trim(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (semicolons && field.find(',') != std::string_view::npos)
            line.fail(quoted(field, 60) + " has a decimal comma, which is not read; export with decimal points");
        if (std::any_of(field.begin(), field.end(), is_space))
            line.fail(std::string("both ") + (semicolons ? "semicolons" : "commas") +
                      " and spaces separate numbers, which is ambiguous (decimal commas?); export with decimal "
                      "points and one kind of separator");
        const bool trailing = end == std::string_view::npos && field.empty() && !fields.empty();
        if (!trailing) fields.push_back(field);
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return fields;
}

struct HeaderLine {
    std::size_t number;
    std::string text;
};

// What the shared reader hands to each format: the header and the numeric columns.
struct TextTable {
    std::vector<HeaderLine> header;  // comments and text lines before the first data line
    std::vector<double> frequency_hz;
    std::vector<double> magnitude_db;
    std::vector<double> phase_deg;  // empty when the file has two columns
};

TextTable read_table(const fs::path& path) {
    const std::string content = read_whole_file(path);
    if (content.find('\0') != std::string::npos)
        throw Error(path.string() +
                    ": is not a plain text file (it holds NUL bytes, as binary files and UTF-16 text do); export the "
                    "response as text, or save the file as UTF-8");
    std::string_view text = content;
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);

    TextTable table;
    std::size_t columns = 0;  // set by the first data line
    std::size_t columns_line = 0;
    std::size_t previous_line = 0;
    const auto lines = split_lines(text);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const Line line{path, i + 1, trim(lines[i])};
        if (line.text.empty()) continue;
        const char first = line.text.front();
        const bool data =
            std::isdigit(static_cast<unsigned char>(first)) || first == '-' || first == '+' || first == '.';
        if (!data) {
            if (columns == 0) {
                table.header.push_back({line.number, std::string(line.text)});
                continue;
            }
            if (first == '*' || first == '"' || first == '#' || first == ';') continue;
            line.fail("is not a data line; " + std::string(layout_hint) +
                      "; fix it, or start it with '*' or '#' to make it a comment");
        }
        std::vector<double> values;
        for (const auto field : split_fields(line)) values.push_back(parse_number(line, field));
        if (values.size() < 2 || values.size() > 3)
            line.fail("has " + std::to_string(values.size()) + " number(s); " + std::string(layout_hint));
        if (columns == 0) {
            columns = values.size();
            columns_line = line.number;
        } else if (values.size() != columns) {
            line.fail("has " + std::to_string(values.size()) + " columns but line " + std::to_string(columns_line) +
                      " has " + std::to_string(columns) + "; every data line needs the same columns");
        }
        const double f = values[0];
        if (table.frequency_hz.empty()) {
            if (f == 0.0) continue;  // DC: no place on a log-frequency axis
            if (f < 0.0) line.fail("frequency " + fmt(f) + " Hz is negative; frequencies must be positive");
        } else {
            const double previous = table.frequency_hz.back();
            if (f == previous)
                line.fail("repeats the frequency of line " + std::to_string(previous_line) + " (" + fmt(f) +
                          " Hz); remove the duplicate line");
            if (f < previous)
                line.fail("frequency " + fmt(f) + " Hz is below " + fmt(previous) + " Hz on line " +
                          std::to_string(previous_line) + "; frequencies must increase, so sort the lines");
        }
        table.frequency_hz.push_back(f);
        table.magnitude_db.push_back(values[1]);
        if (columns == 3) table.phase_deg.push_back(values[2]);
        previous_line = line.number;
    }
    const std::size_t n = table.frequency_hz.size();
    if (n < 2)
        throw Error(path.string() + ": no data: " + (n == 0 ? "found no data lines" : "found only 1 data point") +
                    ", need at least 2; " + std::string(layout_hint) +
                    "; check that this is a REW, FRD or mic calibration text file");
    return table;
}

// Degrees to radians, removing the ±180° wraps of exported phase: each step between
// neighbours is taken as the one within ±π.
std::vector<double> unwrapped_radians(const std::vector<double>& degrees) {
    constexpr double two_pi = 2.0 * std::numbers::pi;
    std::vector<double> radians(degrees.size());
    double offset = 0.0;
    for (std::size_t i = 0; i < degrees.size(); ++i) {
        const double r = degrees[i] * std::numbers::pi / 180.0;
        if (i > 0) offset -= two_pi * std::round((r + offset - radians[i - 1]) / two_pi);
        radians[i] = r + offset;
    }
    return radians;
}

FrequencyResponse to_response(TextTable&& table) {
    FrequencyResponse response;
    response.phase_rad = unwrapped_radians(table.phase_deg);
    response.frequency_hz = std::move(table.frequency_hz);
    response.magnitude_db = std::move(table.magnitude_db);
    return response;
}

// "Sens Factor =-1.378dB" and "SERNO: 7001234" / "Serial No. 7001234" anywhere in a header line.
void read_mic_header(const fs::path& path, const std::vector<HeaderLine>& header, MicCalibration& cal) {
    static const std::regex sensitivity(
        R"(sens\.?\s*factor\s*[=:]?\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)(?!\d|[.,]\d))", std::regex::icase);
    static const std::regex serial(R"((?:serno|serial\s*(?:number|no\.?|#)?)\s*[:=]?\s*([a-z0-9][a-z0-9_-]*))",
                                   std::regex::icase);
    static const std::regex sensitivity_key(R"(sens\.?\s*factor)", std::regex::icase);
    for (const auto& line : header) {
        std::smatch m;
        if (!cal.sensitivity_db && std::regex_search(line.text, sensitivity_key)) {
            if (!std::regex_search(line.text, m, sensitivity))
                Line{path, line.number, line.text}.fail(
                    "names a Sens Factor but no number with a decimal point follows it; expected e.g. "
                    "\"Sens Factor =-1.378dB\"");
            cal.sensitivity_db = to_number(m.str(1));
        }
        if (cal.serial.empty() && std::regex_search(line.text, m, serial)) cal.serial = m.str(1);
    }
}

// Shortest text that reads back as exactly the same double.
std::string exact(double value) {
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    return std::string(buf, end);
}

}  // namespace

double MicCalibration::magnitude_db_at(Hz f) const { return response.magnitude_db_at(f); }

MicCalibration read_mic_calibration(const fs::path& path) {
    TextTable table = read_table(path);
    MicCalibration cal;
    read_mic_header(path, table.header, cal);
    cal.response = to_response(std::move(table));
    return cal;
}

FrequencyResponse read_response_text(const fs::path& path) { return to_response(read_table(path)); }

void write_response_text(const fs::path& path, const FrequencyResponse& response, const std::string& header_comment) {
    const std::string what = "response to write to " + path.string();
    response.validate(what.c_str());
    for (std::size_t i = 0; i < response.phase_rad.size(); ++i)
        if (!std::isfinite(response.phase_rad[i]))
            throw Error(what + ": phase at " + fmt(response.frequency_hz[i]) + " Hz is not finite");

    std::string text;
    for (const auto line : split_lines(header_comment)) text += line.empty() ? "*\n" : "* " + std::string(line) + "\n";
    text += response.has_phase() ? "* Freq(Hz)\tSPL(dB)\tPhase(degrees)\n" : "* Freq(Hz)\tSPL(dB)\n";
    for (std::size_t i = 0; i < response.size(); ++i) {
        text += exact(response.frequency_hz[i]) + '\t' + exact(response.magnitude_db[i]);
        if (response.has_phase()) text += '\t' + exact(response.phase_rad[i] * 180.0 / std::numbers::pi);
        text += '\n';
    }
    write_text_file_atomically(path, text);
}

std::vector<std::pair<double, double>> read_house_curve(const fs::path& path) {
    const TextTable table = read_table(path);
    std::vector<std::pair<double, double>> curve;
    curve.reserve(table.frequency_hz.size());
    for (std::size_t i = 0; i < table.frequency_hz.size(); ++i)
        curve.emplace_back(table.frequency_hz[i], table.magnitude_db[i]);
    return curve;
}

}  // namespace roomcal::io
