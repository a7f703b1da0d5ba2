// `roomcal report`: a room as one self-contained HTML page (inline CSS and SVG): summary,
// measured responses, the correction and its predicted result, impulse and decay
// analysis, and what to do next. The content is built by report::room_document.
#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/io/room_profile.hpp"
#include "roomcal/report/html_report.hpp"
#include "roomcal/report/room_report.hpp"

namespace roomcal::app {
namespace fs = std::filesystem;
namespace {

struct ReportOptions {
    std::string room, out;
};

}  // namespace

Runner add_report(CLI::App& app) {
    auto o = std::make_shared<ReportOptions>();
    auto* cmd = app.add_subcommand("report", "Write a self-contained HTML report of a room");
    cmd->add_option("--room", o->room, "Room folder")->required();
    cmd->add_option("--out", o->out, "HTML file to write")->required();
    return [o] {
        const fs::path out(o->out);
        const fs::path folder = out.has_parent_path() ? out.parent_path() : fs::path(".");
        std::error_code ec;
        // Checked before the analysis, which takes a while on long impulse responses.
        if (!fs::is_directory(folder, ec))
            throw Error("cannot write the report " + out.string() + ": folder " + folder.string() +
                        " does not exist; create it or choose another --out");
        if (fs::is_directory(out, ec))
            throw Error("cannot write the report to " + out.string() + ": it is a folder; give a file name such as " +
                        (out / "report.html").string());
        const Room room = io::load_room(o->room);
        report::RoomReportOptions ro;
        ro.source = o->room;
        const auto doc = report::room_document(room, ro);
        report::write_html(doc, out);
        std::size_t plots = 0;
        for (const auto& s : doc.sections) plots += s.plots.size();
        std::cout << "report of room " << room.name << ": " << doc.sections.size() << " sections, " << plots
                  << " plots, " << doc.warnings.size() << " thing" << (doc.warnings.size() == 1 ? "" : "s")
                  << " to know -> " << out.string() << "\n";
        for (const auto& w : doc.warnings) std::cout << "  - " << w << "\n";
        return exit_ok;
    };
}

}  // namespace roomcal::app
