package dev.spindle.ingest.cli;

import dev.spindle.schemas.config.ConnectionOptions;

import dev.spindle.ingest.loader.DirectorySource;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "load-dir", mixinStandardHelpOptions = true,
    description = {"Loads a directory of PNG/JPEG files: files in a subfolder carry the folder's "
        + "name as their label (e.g. sneaker/, ankle-boot/); loose files are unlabeled."})
final class LoadDirCommand implements Callable<Integer> {
  @Mixin
  ConnectionOptions connection;

  @Parameters(index = "0", description = "The directory.")
  Path root;

  @Override
  public Integer call() throws Exception {
    return LoadCommands.run(connection, config -> DirectorySource.items(root));
  }
}
