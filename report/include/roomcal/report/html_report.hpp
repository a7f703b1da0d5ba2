// A report as one self-contained HTML page: inline CSS and inline SVG plots, no scripts,
// fonts or images from elsewhere, laid out for the screen and for print.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "roomcal/report/svg_plot.hpp"

namespace roomcal::report {

struct Table {
    std::string title;                           // caption; may be empty
    std::vector<std::string> header;             // empty: no header row
    std::vector<std::vector<std::string>> rows;  // cells that read as numbers are right-aligned
};

struct Section {
    std::string title;
    std::string intro;  // one paragraph of plain text
    std::vector<std::string> warnings;
    std::vector<Plot> plots;
    std::vector<Table> tables;
};

struct Document {
    std::string title;
    std::string subtitle;
    std::vector<std::string> warnings;  // shown in a box at the top
    std::vector<Section> sections;
};

// The page. Every text is escaped; plot ids are numbered so the page's SVG ids are unique.
std::string html(const Document& doc);

// Writes html(doc) to `path` atomically. Throws roomcal::Error if the folder does not
// exist or the file cannot be written; nothing is left behind then.
void write_html(const Document& doc, const std::filesystem::path& path);

}  // namespace roomcal::report
