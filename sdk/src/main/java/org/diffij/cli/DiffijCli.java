package org.diffij.cli;

import java.io.PrintWriter;
import org.diffij.DiffijException;
import org.diffij.hub.HubSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar diffij.jar <subcommand>}: the command-line face of the SDK. */
@Command(name = "diffij", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Stable Diffusion for Fiji/ImageJ: generation, training, model files, reference parity, benchmarks.",
        subcommands = {
            ParityCommand.class,
            InspectCommand.class,
            ConvertCommand.class,
            EngineCommand.class,
            GenerateCommand.class,
            EncodeCommand.class,
            BenchCommand.class,
            DemoCommand.class,
            ModelsCommand.class,
            CommandLine.HelpCommand.class
        })
public final class DiffijCli implements Runnable {

    /** Exit code of bad input (a file, option or model the user named is wrong). */
    public static final int BAD_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final HubSettings hub;

    private DiffijCli(HubSettings hub) {
        this.hub = hub;
    }

    /** Where hub models come from and are cached, as the environment says (tests give their own). */
    HubSettings hub() {
        return hub;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        // DJL logs through SLF4J; the command line has no logging backend, so say so instead of warning.
        System.setProperty("slf4j.provider", System.getProperty("slf4j.provider",
                "org.slf4j.helpers.NOP_FallbackServiceProvider"));
        System.setProperty("slf4j.internal.verbosity", System.getProperty("slf4j.internal.verbosity", "WARN"));
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code (tests call this instead of main). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        return commandLine(HubSettings.fromEnvironment());
    }

    static CommandLine commandLine(HubSettings hub) {
        CommandLine cli = new CommandLine(new DiffijCli(hub));
        cli.addSubcommand("train", TrainCommand.commandLine(hub));
        cli.setExecutionExceptionHandler((error, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (error instanceof DiffijException) {
                err.println("diffij: " + error.getMessage());
                return BAD_INPUT;
            }
            err.println("diffij: internal error: " + error);
            error.printStackTrace(err);
            return 1;
        });
        cli.setParameterExceptionHandler((error, args) -> {
            PrintWriter err = error.getCommandLine().getErr();
            err.println("diffij: " + error.getMessage());
            // A mistyped command or option: picocli's nearest names ("Did you mean: diffij generate?").
            CommandLine.UnmatchedArgumentException.printSuggestions(error, err);
            err.println("Try '" + error.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return BAD_INPUT;
        });
        return cli;
    }
}
