package org.diffij.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diffij.io.HostTensor;
import org.diffij.io.SafetensorsWriter;
import org.diffij.parity.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {

    @TempDir
    Path dir;

    @Test
    void describesEveryGoldenModel() {
        Path models = Golden.manifest().root().resolve("models");
        for (String folder : List.of("tiny-sd15", "tiny-sd21v", "tiny-sdxl", "tiny-controlnet-sd15")) {
            CliRun run = CliRun.of("inspect", models.resolve(folder).toString());
            assertEquals(0, run.exitCode(), run.err());
            assertTrue(run.out().contains("total: "), run.out());
        }
        CliRun sdxl = CliRun.of("inspect", models.resolve("tiny-sdxl").toString());
        assertTrue(sdxl.out().contains("diffusers pipeline StableDiffusionXLPipeline"), sdxl.out());
        assertTrue(sdxl.out().contains("text_encoder_2") && sdxl.out().contains("CLIPTextModelWithProjection"),
                sdxl.out());
        CliRun single = CliRun.of("inspect", "--all",
                models.resolve("tiny-sd15-single-file/tiny-sd15.safetensors").toString());
        assertEquals(0, single.exitCode(), single.err());
        assertTrue(single.out().contains("single-file checkpoint, SD 1.x"), single.out());
        assertTrue(single.out().contains("model.diffusion_model.input_blocks.0.0.weight"), single.out());
        CliRun lora = CliRun.of("inspect", models.resolve("lora/tiny-sd15-lora-kohya.safetensors").toString());
        assertTrue(lora.out().contains("LoRA (kohya / A1111)"), lora.out());
        CliRun ip = CliRun.of("inspect", models.resolve("tiny-ip-adapter-sd15/models/ip-adapter_sd15.safetensors")
                .toString());
        assertTrue(ip.out().contains("IP-Adapter"), ip.out());
    }

    @Test
    void countsTensorsAndParametersOfAFile() {
        Path file = Golden.manifest().root().resolve("models/tiny-sd15/text_encoder/model.safetensors");
        CliRun run = CliRun.of("inspect", file.toString());
        assertEquals(0, run.exitCode());
        assertTrue(run.out().contains("84 tensors"), run.out());
        assertTrue(run.out().contains("F16x84"), run.out());
    }

    @Test
    void namesAnAdaptersFormatAlgorithmRankAlphaAndTrainingMetadata() {
        Path file = dir.resolve("loha.safetensors");
        String layer = "lora_unet_input_blocks_4_1_transformer_blocks_0_attn2_to_k";
        SafetensorsWriter.write(file, Map.of(
                layer + ".hada_w1_a", HostTensor.ofFloats(new float[640 * 8], 640, 8),
                layer + ".hada_w1_b", HostTensor.ofFloats(new float[8 * 2048], 8, 2048),
                layer + ".hada_w2_a", HostTensor.ofFloats(new float[640 * 8], 640, 8),
                layer + ".hada_w2_b", HostTensor.ofFloats(new float[8 * 2048], 8, 2048),
                layer + ".alpha", HostTensor.scalar(4f)), Map.of("ss_network_module", "lycoris.kohya"));
        CliRun run = CliRun.of("inspect", file.toString());
        assertEquals(0, run.exitCode(), run.err());
        for (String expected : new String[] {"kohya/LyCORIS (LDM UNet names)", "LoHa ×1", "SDXL", "rank             8",
            "alpha            4", "ss_network_module lycoris.kohya"}) {
            assertTrue(run.out().contains(expected), expected + " in " + run.out());
        }
    }

    @Test
    void rejectsBadInputWithOneLine() throws IOException {
        Path corrupt = dir.resolve("broken.safetensors");
        Files.write(corrupt, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0, '{', '}'});
        assertOneLineError(CliRun.of("inspect", corrupt.toString()), "broken.safetensors: header length");
        assertOneLineError(CliRun.of("inspect", dir.resolve("nothing").toString()), "no such file or folder");
        Path pickle = dir.resolve("model.ckpt");
        Files.write(pickle, new byte[] {(byte) 0x80, 2});
        assertOneLineError(CliRun.of("inspect", pickle.toString()), "neither a safetensors file nor a torch pickle");
        Path emptyFolder = Files.createDirectory(dir.resolve("folder"));
        assertOneLineError(CliRun.of("inspect", emptyFolder.toString()), "not a model folder");
    }

    private static void assertOneLineError(CliRun run, String text) {
        assertEquals(2, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().startsWith("diffij: ") && run.err().contains(text), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
    }
}
