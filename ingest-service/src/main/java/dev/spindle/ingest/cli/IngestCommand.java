package dev.spindle.ingest.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code spindle-ingest}: the ingest-service's command line. */
@Command(name = "spindle-ingest", mixinStandardHelpOptions = true,
    subcommands = {ServeCommand.class, LoadIdxCommand.class, LoadDirCommand.class},
    description = {"Spindle's ingest-service: validates images and labels and publishes them to "
        + "Kafka as Avro. Settings come from --config / $SPINDLE_CONFIG and SPINDLE_* variables."})
public final class IngestCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new IngestCommand()).execute(args));
  }
}
