package org.diffij.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.diffij.parity.Golden;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class EncodeCommandTest {

    private static CliRun encode(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new EncodeCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    private static String model(String name) {
        return Golden.manifest().modelPath(name).toString();
    }

    @Test
    void printsIdsWeightsAndTensorStatistics() {
        CliRun run = encode("--model", model("tiny-sd15"), "--prompt", "a photo of a (cat:1.2) <lora:x:0.5>");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("extra network: lora 'x' multiplier 0.5"), run.out());
        assertTrue(run.out().contains("chunk 1 ids: 49406 320 1125 539 320 2368 49407 + 70 padding"), run.out());
        assertTrue(run.out().contains("5:1.200"), run.out());
        assertTrue(run.out().contains("prompt_embeds [1, 77, 32] mean"), run.out());
    }

    @Test
    void sdxlSchedulesAndEmbeddingsAreShown() {
        CliRun run = encode("--model", model("tiny-sdxl"), "--prompt", "a [dog:cat:0.5]", "--steps", "10");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("up to step 5: \"a dog\""), run.out());
        assertTrue(run.out().contains("up to step 10: \"a cat\""), run.out());
        assertTrue(run.out().contains("prompt_embeds [1, 77, 64]"), run.out());
        assertTrue(run.out().contains("pooled_prompt_embeds [1, 32]"), run.out());
        Path embedding = Golden.manifest().root().resolve("models/textual_inversion/my-token-diffusers.safetensors");
        CliRun withEmbedding = encode("--model", model("tiny-sd15"), "--prompt", "a <my-token>", "--embedding",
                embedding.toString());
        assertTrue(withEmbedding.out().contains("49406 320 49408 49407"), withEmbedding.out());
        Path folder = Golden.manifest().root().resolve("models/textual_inversion");
        CliRun pickled = encode("--model", model("tiny-sd15"), "--prompt", "a cat-toy-a1111", "--embedding",
                folder.resolve("cat-toy-a1111.pt").toString());
        CliRun twin = encode("--model", model("tiny-sd15"), "--prompt", "a cat-toy-a1111", "--embedding",
                folder.resolve("cat-toy-a1111.safetensors").toString());
        assertEquals(0, pickled.exitCode(), pickled.err());
        assertTrue(pickled.out().contains("49406 320 49408 49409 49410 49407"), pickled.out());
        assertEquals(twin.out(), pickled.out());
    }

    @Test
    void badInputIsOneLineAndExitCodeTwo() {
        CliRun missing = encode("--model", "/no/such/model", "--prompt", "x");
        assertEquals(2, missing.exitCode());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
        CliRun absent = encode("--model", model("tiny-sd15"), "--prompt", "x", "--embedding", "/no/such/embedding.pt");
        assertEquals(2, absent.exitCode());
        assertEquals(1, absent.err().strip().lines().count(), absent.err());
    }
}
