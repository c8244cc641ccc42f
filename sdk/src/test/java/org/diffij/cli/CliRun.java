package org.diffij.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.diffij.hub.HubSettings;
import picocli.CommandLine;

/** Runs the CLI in-process and captures what it printed. */
record CliRun(int exitCode, String out, String err) {

    static CliRun of(String... args) {
        return withHub(HubSettings.fromEnvironment(), args);
    }

    /** Runs with these hub settings instead of the environment's. */
    static CliRun withHub(HubSettings hub, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = DiffijCli.commandLine(hub);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
