// roomcal: the command-line front end. Parses arguments (CLI11), runs one subcommand,
// and turns errors into messages and exit codes: 0 ok, 1 runtime error, 2 usage error.
#include <malloc.h>

#include <cstdio>
#include <iostream>
#include <utility>
#include <vector>

#include "commands.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/dsp/fft.hpp"

#ifndef ROOMCAL_VERSION
#define ROOMCAL_VERSION "unknown"
#endif

namespace {

int run(int argc, char** argv) {
    using namespace roomcal::app;
    CLI::App app{"roomcal — measure a room, correct it, and master through the correction", "roomcal"};
    app.set_version_flag("--version", std::string("roomcal ") + ROOMCAL_VERSION);
    app.require_subcommand(0, 1);
    app.footer("Run `roomcal help COMMAND` or `roomcal COMMAND --help` for a command's options.");

    std::vector<std::pair<CLI::App*, Runner>> commands;
    auto add = [&](Runner (*adder)(CLI::App&)) {
        const auto before = app.get_subcommands({}).size();
        Runner r = adder(app);
        commands.emplace_back(app.get_subcommands({})[before], std::move(r));
    };
    add(add_demo);
    add(add_devices);
    add(add_sweep);
    add(add_analyze);
    add(add_import);
    add(add_measure);
    add(add_fit);
    add(add_export);
    add(add_report);
    add(add_render);
    add(add_compare);
    add(add_live);
    add(add_translate);
    add(add_monitor);

    auto* help = app.add_subcommand("help", "Show help for roomcal or one of its commands");
    std::string help_topic;
    help->add_option("command", help_topic, "The command to explain");

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return exit_usage_error;
    }

    if (help->parsed()) {
        if (help_topic.empty()) {
            app.clear();  // otherwise CLI11 prints the help of the selected subcommand, `help` itself
            std::cout << app.help();
            return exit_ok;
        }
        for (const auto& [sub, runner] : commands)
            if (sub->get_name() == help_topic) {
                std::cout << sub->help(app.get_name());
                return exit_ok;
            }
        std::cerr << "roomcal: no command named \"" << help_topic << "\"; run `roomcal help` for the list\n";
        return exit_usage_error;
    }
    for (const auto& [sub, runner] : commands)
        if (sub->parsed()) return runner();

    std::cout << app.help();
    return exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
    // Large buffers from the heap, kept when freed: glibc otherwise maps each block of
    // 128 KiB or more afresh and unmaps it on free, so the next one faults in page by page
    // again (a render frees the FIR file's buffers just before it allocates the
    // convolver's). A page fault costs microseconds, most of all in a virtual machine.
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 128 << 20);
    try {
        const int code = run(argc, argv);
        roomcal::dsp::save_wisdom();
        return code;
    } catch (const roomcal::UsageError& e) {
        std::cerr << "roomcal: " << e.what() << "\n";
        return roomcal::app::exit_usage_error;
    } catch (const roomcal::Error& e) {
        std::cerr << "roomcal: error: " << e.what() << "\n";
        return roomcal::app::exit_runtime_error;
    } catch (const std::bad_alloc&) {
        std::cerr << "roomcal: error: out of memory; try shorter files or fewer positions\n";
        return roomcal::app::exit_runtime_error;
    } catch (const std::exception& e) {
        std::cerr << "roomcal: internal error: " << e.what() << " (please report this)\n";
        return roomcal::app::exit_runtime_error;
    }
}
