// Report sections for comparing a mix with its master and for translating a mix across
// measured rooms: what `roomcal compare --report` and `roomcal translate --report` write,
// and what the demo adds to its pages.
#pragma once

#include <string>

#include "roomcal/compare/compare.hpp"
#include "roomcal/compare/translate.hpp"
#include "roomcal/report/html_report.hpp"

namespace roomcal::report {

// Alignment, level matching, the master's tonal difference (third octaves and ERB bands,
// level-matched) and both files' dynamics.
Section comparison_section(const compare::Comparison& c, const std::string& mix, const std::string& master);

// Each room's deviation from its target at the seat (uncorrected and corrected), the scores
// and worst bands, and the room-to-room differences.
Section translation_section(const compare::Translation& t, const std::string& mix);

}  // namespace roomcal::report
