// The roomcal CLI's subcommands. Each add_* declares its options on the CLI11 app and
// returns the function that runs it once parsing succeeded; it returns the exit code.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace roomcal::app {

using Runner = std::function<int()>;

// Exit codes shared by every subcommand.
inline constexpr int exit_ok = 0;
inline constexpr int exit_runtime_error = 1;
inline constexpr int exit_usage_error = 2;

Runner add_demo(CLI::App& app);
Runner add_devices(CLI::App& app);
Runner add_sweep(CLI::App& app);
Runner add_analyze(CLI::App& app);
Runner add_import(CLI::App& app);
Runner add_measure(CLI::App& app);
Runner add_fit(CLI::App& app);
Runner add_export(CLI::App& app);
Runner add_report(CLI::App& app);
Runner add_render(CLI::App& app);
Runner add_compare(CLI::App& app);
Runner add_live(CLI::App& app);
Runner add_translate(CLI::App& app);
Runner add_monitor(CLI::App& app);

}  // namespace roomcal::app
