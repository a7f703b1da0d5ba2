// Frequency responses as text: mic calibration files (miniDSP UMIK, Dayton, REW), REW
// "Export measurement as text" and FRD files, REW house curves; REW-importable export.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "roomcal/core/frequency_response.hpp"
#include "roomcal/core/units.hpp"

namespace roomcal::io {

// The text layout every reader here accepts (one parser serves them all). A file is
// UTF-8 or ASCII (a BOM is skipped) with LF, CRLF or CR line ends. Blank lines and lines
// starting with `*`, `"`, `#` or `;` are comments; text lines before the first data line
// (an unmarked column header, an unquoted "Sens Factor" line) are header text. A data
// line is `freq_Hz dB` or `freq_Hz dB phase_deg`, with the same column count on every
// line, separated by whitespace, or by commas or by semicolons (whitespace around them
// and one trailing separator allowed). Decimal commas are not read: a line where commas
// and spaces both separate numbers ("20,5 1,2") or where a semicolon-separated field
// holds a comma ("20;1,5") is rejected, never guessed. Frequencies must be positive and
// strictly increasing; a leading 0 Hz (DC) point, as linear exports may have, is
// skipped. At least 2 data points are needed. A bad line throws roomcal::Error naming the
// file, the line number and the line's text; a missing, binary or too short file throws
// naming the file.

// A measurement mic's calibration: its deviation from flat, in dB, to subtract from a
// measurement, plus what the file's header says about the mic.
struct MicCalibration {
    FrequencyResponse response;            // phase_rad empty unless the file has a phase column
    std::optional<double> sensitivity_db;  // "Sens Factor" of the header, if present
    std::string serial;                    // "SERNO" / "Serial No." of the header, or empty

    // Correction at f, interpolated over log-frequency; flat (end values) outside the
    // file's range.
    double magnitude_db_at(Hz f) const;
};

// A UMIK/Dayton/REW calibration file, e.g. a first line
// `"Sens Factor =-1.378dB, AGain =18dB, SERNO: 7001234"` (or `*1kHz Sens Factor =...`)
// then `freq dB [phase_deg]` lines. Header keys are matched ignoring case and spacing.
MicCalibration read_mic_calibration(const std::filesystem::path& path);

// A REW text export (`* ` header lines, `Freq(Hz) SPL(dB) Phase(degrees)`) or an FRD file.
// Phase, when present, is converted to radians and unwrapped.
FrequencyResponse read_response_text(const std::filesystem::path& path);

// REW-importable text: each line of `header_comment` as `* line`, a column header, then
// `freq<TAB>dB<TAB>phase_deg` (no phase column when the phase is unknown) with shortest
// exact number forms, so reading it back returns the same values. Written atomically;
// throws roomcal::Error if `response` is invalid.
void write_response_text(const std::filesystem::path& path, const FrequencyResponse& response,
                         const std::string& header_comment);

// A REW house curve: (frequency Hz, dB) pairs in increasing frequency. A phase column,
// as in a measurement export used as a curve, is ignored: a target is magnitude only.
std::vector<std::pair<double, double>> read_house_curve(const std::filesystem::path& path);

}  // namespace roomcal::io
