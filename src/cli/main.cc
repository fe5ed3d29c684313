// flbench's command line: builds the CLI11 app from the per-file command registrations and turns
// every error into a one-line message and a non-zero exit status.
#include <cstdio>
#include <exception>
#include <string>

#include "cli/commands.h"
#include "cli/options.h"
#include "util/cpu.h"
#include "util/error.h"

int main(int argc, char** argv) {
  if (const std::string missing = flbench::MissingBaselineFeatures(); !missing.empty()) {
    std::fprintf(stderr, "flbench: this CPU lacks %s; flbench is built for %s (results are defined for that ISA level)\n",
                 missing.c_str(), flbench::BaselineName());
    return 2;
  }
  CLI::App app{"flbench — learning formal languages with recurrent networks"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "flbench 0.1");
  flbench::AddLanguageCommands(app);
  flbench::AddSuiteCommands(app);
  flbench::AddTrainCommand(app);
  flbench::AddSlurmCommand(app);
  flbench::AddModelCommands(app);
  try {
    if (argc > 1 && argv[1][0] != '-') {  // CLI11 would only say "A subcommand is required"
      std::string names;
      bool known = false;
      for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
        known = known || sub->get_name() == argv[1];
        names += (names.empty() ? "" : ", ") + sub->get_name();
      }
      if (!known) throw flbench::Error(std::string("unknown command '") + argv[1] + "' (commands: " + names + ")");
    }
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ValidationError& e) {  // an option's value was checked and refused: the message says why
    std::fflush(stdout);
    std::fprintf(stderr, "flbench: %s\n", e.what());
    return 2;
  } catch (const CLI::ParseError& e) {  // bad command line: one exit path with everything else that is bad input
    std::fflush(stdout);
    std::fprintf(stderr, "flbench: %s (see `flbench --help` or `flbench COMMAND --help`)\n", e.what());
    return 2;
  } catch (const flbench::Error& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "flbench: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "flbench: internal error: %s\n", e.what());
    return 3;
  }
  return 0;
}
