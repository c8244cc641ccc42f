package org.diffij.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.diffij.DiffijException;
import org.diffij.io.HostTensor;
import org.diffij.io.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness judges by the manifest's tolerances and cannot be fooled by wrong or missing outputs. */
class ParityHarnessTest {

    @TempDir
    Path dir;

    private static final float[] REFERENCE = {1f, -2f, 3f, 0.5f};

    /** A runner that returns the reference plus an offset, or whatever the test sets. */
    private static final class OffsetRunner implements AreaRunner {
        float offset;
        boolean extraOutput;
        boolean wrongShape;

        @Override
        public String area() {
            return "demo";
        }

        @Override
        public Map<String, HostTensor> run(GoldenCase golden) {
            float[] values = golden.expected("y").toFloatArray();
            for (int i = 0; i < values.length; i++) {
                values[i] += offset;
            }
            Map<String, HostTensor> out = new LinkedHashMap<>();
            out.put("y", wrongShape ? HostTensor.ofFloats(values, 4, 1) : HostTensor.ofFloats(values, 2, 2));
            if (extraOutput) {
                out.put("z", HostTensor.ofFloats(values, 2, 2));
            }
            return out;
        }
    }

    private Path manifest(String tolerance) throws IOException {
        SafetensorsWriter.write(dir.resolve("cases/demo.safetensors"), Map.of(
                "in.x", HostTensor.ofFloats(new float[] {0, 0, 0, 0}, 2, 2),
                "out.y", HostTensor.ofFloats(REFERENCE, 2, 2)), Map.of());
        String json = "{\"models\": {}, \"cases\": [{\"id\": \"demo/one\", \"area\": \"demo\", \"file\": "
                + "\"cases/demo.safetensors\", \"model\": null, \"params\": {}, \"inputs\": {\"x\": {}}, "
                + "\"outputs\": {\"y\": {}}, \"tolerance\": " + tolerance + "}, "
                + "{\"id\": \"other/two\", \"area\": \"other\", \"file\": \"cases/demo.safetensors\", \"outputs\": {}}]}";
        Path file = dir.resolve("manifest.json");
        Files.writeString(file, json, StandardCharsets.UTF_8);
        return file;
    }

    private CaseResult runDemo(String tolerance, OffsetRunner runner) throws IOException {
        GoldenManifest golden = GoldenManifest.load(manifest(tolerance));
        return new ParityRunner(Map.of("demo", runner)).run(golden.cases().get(0));
    }

    @Test
    void withinTheManifestTolerancePassesAndBeyondItFails() throws IOException {
        OffsetRunner runner = new OffsetRunner();
        runner.offset = 5e-4f;
        assertEquals(CaseResult.Status.PASS, runDemo("{\"max_abs\": 1e-3, \"rel_l2\": 1e-3}", runner).status());
        runner.offset = 2e-3f;
        CaseResult failed = runDemo("{\"max_abs\": 1e-3, \"rel_l2\": 1e-3}", runner);
        assertEquals(CaseResult.Status.FAIL, failed.status());
        assertTrue(failed.message().contains("y: max_abs"), failed.message());
        assertTrue(failed.line().startsWith("FAIL demo/one max_abs=0.00200"), failed.line());
        // The same output passes once the manifest allows more: the limit is read, not built in.
        assertEquals(CaseResult.Status.PASS, runDemo("{\"max_abs\": 1e-2, \"rel_l2\": 1e-2}", runner).status());
        assertEquals(CaseResult.Status.FAIL, runDemo("{\"max_abs\": 1e-2, \"rel_l2\": 1e-4}", runner).status());
    }

    @Test
    void exactMeansExact() throws IOException {
        OffsetRunner runner = new OffsetRunner();
        assertEquals(CaseResult.Status.PASS, runDemo("{\"exact\": true}", runner).status());
        runner.offset = 1e-3f;
        CaseResult result = runDemo("{\"exact\": true}", runner);
        assertEquals(CaseResult.Status.FAIL, result.status());
        assertTrue(result.message().contains("4 of 4 values differ"), result.message());
    }

    @Test
    void wrongShapesAndUnknownOutputsFail() throws IOException {
        OffsetRunner runner = new OffsetRunner();
        runner.wrongShape = true;
        CaseResult shape = runDemo("{\"max_abs\": 1}", runner);
        assertEquals(CaseResult.Status.FAIL, shape.status());
        assertTrue(shape.message().contains("shape [4, 1] but the reference is [2, 2]"), shape.message());
        runner.wrongShape = false;
        runner.extraOutput = true;
        CaseResult extra = runDemo("{\"max_abs\": 1}", runner);
        assertEquals(CaseResult.Status.FAIL, extra.status());
        assertTrue(extra.message().contains("z: produced but the case has no such output"), extra.message());
    }

    @Test
    void missingOutputsFail() throws IOException {
        AreaRunner silent = new AreaRunner() {
            @Override
            public String area() {
                return "demo";
            }

            @Override
            public Map<String, HostTensor> run(GoldenCase golden) {
                return Map.of();
            }
        };
        GoldenManifest golden = GoldenManifest.load(manifest("{\"max_abs\": 1}"));
        CaseResult result = new ParityRunner(Map.of("demo", silent)).run(golden.cases().get(0));
        assertEquals(CaseResult.Status.FAIL, result.status());
        assertTrue(result.message().contains("y: not produced"), result.message());
    }

    @Test
    void expectErrorPassesOnlyWhenTheInputIsRejected() throws IOException {
        AreaRunner rejecting = new AreaRunner() {
            @Override
            public String area() {
                return "demo";
            }

            @Override
            public Map<String, HostTensor> run(GoldenCase golden) {
                throw new DiffijException("label 150 is out of range");
            }
        };
        GoldenManifest golden = GoldenManifest.load(manifest("{\"expect_error\": true}"));
        assertEquals(CaseResult.Status.PASS, new ParityRunner(Map.of("demo", rejecting)).run(golden.cases().get(0))
                .status());
        assertEquals(CaseResult.Status.FAIL, new ParityRunner(Map.of("demo", new OffsetRunner()))
                .run(golden.cases().get(0)).status());
    }

    @Test
    void crashesFailAndUnimplementedAreasSkip() throws IOException {
        AreaRunner crashing = new AreaRunner() {
            @Override
            public String area() {
                return "demo";
            }

            @Override
            public Map<String, HostTensor> run(GoldenCase golden) {
                throw new IllegalStateException("bug");
            }
        };
        GoldenManifest golden = GoldenManifest.load(manifest("{\"max_abs\": 1}"));
        ParityRunner runner = new ParityRunner(Map.of("demo", crashing));
        assertEquals(CaseResult.Status.FAIL, runner.run(golden.cases().get(0)).status());
        CaseResult skipped = runner.run(golden.cases().get(1));
        assertEquals(CaseResult.Status.SKIP, skipped.status());
        assertEquals("SKIP other/two (area 'other' not implemented yet)", skipped.line());
    }

    @Test
    void trainingRulesApplyTheFirstMatchingGlob() throws IOException {
        SafetensorsWriter.write(dir.resolve("cases/train.safetensors"), Map.of(
                "in.init.w", HostTensor.ofFloats(new float[] {1f, 1f}, 2),
                "out.step1.w", HostTensor.ofFloats(new float[] {1.01f, 0.99f}, 2),
                "out.loss", HostTensor.scalar(2f)), Map.of());
        JsonObject rules = com.google.gson.JsonParser.parseString("{\"rules\": ["
                + "{\"outputs\": [\"loss\"], \"rel\": 1e-3},"
                + "{\"outputs\": [\"step1.*\"], \"compare\": \"update\", \"base\": \"in.init.*\", \"max_abs\": 1e-2,"
                + " \"update_rel_l2\": 0.1, \"update_rel_l2_all\": 0.1}]}").getAsJsonObject();
        Files.writeString(dir.resolve("manifest.json"), "{\"models\": {}, \"cases\": [{\"id\": \"t\", \"area\": "
                + "\"training\", \"file\": \"cases/train.safetensors\", \"outputs\": {\"step1.w\": {}, \"loss\": {}}, "
                + "\"tolerance\": " + rules + "}]}");
        GoldenCase golden = GoldenManifest.load(dir.resolve("manifest.json")).cases().get(0);
        Map<String, HostTensor> good = Map.of("loss", HostTensor.scalar(2.001f),
                "step1.w", HostTensor.ofFloats(new float[] {1.0105f, 0.99f}, 2));
        assertTrue(Tolerances.compare(golden, good).stream().allMatch(OutputCheck::passed));
        // The update of the first weight is 0.02 instead of 0.01: the value is close, the update is not.
        Map<String, HostTensor> badUpdate = Map.of("loss", HostTensor.scalar(2.001f),
                "step1.w", HostTensor.ofFloats(new float[] {1.02f, 0.99f}, 2));
        assertTrue(Tolerances.compare(golden, badUpdate).stream().anyMatch(c -> !c.passed()
                && c.detail().contains("update_rel_l2")));
        Map<String, HostTensor> badLoss = Map.of("loss", HostTensor.scalar(2.01f),
                "step1.w", HostTensor.ofFloats(new float[] {1.0105f, 0.99f}, 2));
        assertTrue(Tolerances.compare(golden, badLoss).stream().anyMatch(c -> !c.passed() && c.name().equals("loss")));
        golden.close();
    }

    @Test
    void aRealCaseFailsWhenItsOutputIsPerturbedBeyondItsManifestTolerance() {
        GoldenCase unet = Golden.golden("unet/tiny-sd15_t500");
        double maxAbs = unet.tolerance().get("max_abs").getAsDouble();
        AreaRunner perturbing = new AreaRunner() {
            float offset;

            @Override
            public String area() {
                return "unet";
            }

            @Override
            public Map<String, HostTensor> run(GoldenCase golden) {
                HostTensor reference = golden.expected("noise_pred");
                float[] values = reference.toFloatArray();
                values[values.length / 2] += offset;
                offset = (float) (3 * maxAbs);
                return Map.of("noise_pred", HostTensor.ofFloats(values, reference.shape()));
            }
        };
        ParityRunner runner = new ParityRunner(Map.of("unet", perturbing));
        assertEquals(CaseResult.Status.PASS, runner.run(unet).status());
        CaseResult result = runner.run(unet);
        assertEquals(CaseResult.Status.FAIL, result.status(), result.line());
    }

    @Test
    void aRunnerMaySkipTheCasesItDoesNotImplementYet() throws IOException {
        AreaRunner partial = new AreaRunner() {
            @Override
            public String area() {
                return "demo";
            }

            @Override
            public Map<String, HostTensor> run(GoldenCase golden) {
                throw new AssertionError("a skipped case must not run");
            }

            @Override
            public java.util.Optional<String> notImplemented(GoldenCase golden) {
                return java.util.Optional.of("case kind not implemented yet");
            }
        };
        GoldenManifest golden = GoldenManifest.load(manifest("{\"max_abs\": 1}"));
        CaseResult result = new ParityRunner(Map.of("demo", partial)).run(golden.cases().get(0));
        assertEquals("SKIP demo/one (case kind not implemented yet)", result.line());
    }

    @Test
    void updateTotalsAreKeptPerPattern() throws IOException {
        // step1 is off by 1 % of its update, step3 exactly right: together the error would be diluted below 1 %.
        SafetensorsWriter.write(dir.resolve("cases/upd.safetensors"), Map.of(
                "in.init.w", HostTensor.ofFloats(new float[] {0f}, 1),
                "out.step1.w", HostTensor.ofFloats(new float[] {1f}, 1),
                "out.step3.w", HostTensor.ofFloats(new float[] {10f}, 1)), Map.of());
        Files.writeString(dir.resolve("manifest.json"), "{\"models\": {}, \"cases\": [{\"id\": \"u\", \"area\": "
                + "\"training\", \"file\": \"cases/upd.safetensors\", \"outputs\": {\"step1.w\": {}, \"step3.w\": {}}, "
                + "\"tolerance\": {\"rules\": [{\"outputs\": [\"step1.*\", \"step3.*\"], \"compare\": \"update\", "
                + "\"base\": \"in.init.*\", \"max_abs\": 1, \"update_rel_l2\": 1, \"update_rel_l2_all\": 0.005}]}}]}");
        GoldenCase golden = GoldenManifest.load(dir.resolve("manifest.json")).cases().get(0);
        java.util.List<OutputCheck> checks = Tolerances.compare(golden, Map.of(
                "step1.w", HostTensor.ofFloats(new float[] {1.01f}, 1), "step3.w", HostTensor.ofFloats(new float[] {10f}, 1)));
        assertTrue(checks.stream().anyMatch(c -> !c.passed() && c.name().equals("step1.* (all updates)")),
                checks.toString());
        assertTrue(checks.stream().anyMatch(c -> c.passed() && c.name().equals("step3.* (all updates)")),
                checks.toString());
        golden.close();
    }

    @Test
    void anUpdateMayBeMeasuredFromTheCaseModelsWeights() throws IOException {
        // The base weight is 2, the reference moved it to 3: a result at 3.5 is 50 % off its update.
        SafetensorsWriter.write(dir.resolve("models/m/unet/diffusion_pytorch_model.safetensors"), Map.of(
                "conv.weight", HostTensor.ofFloats(new float[] {2f}, 1)), Map.of());
        SafetensorsWriter.write(dir.resolve("cases/base.safetensors"), Map.of(
                "out.step1.conv.weight", HostTensor.ofFloats(new float[] {3f}, 1)), Map.of());
        Files.writeString(dir.resolve("manifest.json"), "{\"models\": {\"m\": {\"path\": \"models/m\"}}, \"cases\": "
                + "[{\"id\": \"b\", \"area\": \"training\", \"model\": \"m\", \"file\": \"cases/base.safetensors\", "
                + "\"outputs\": {\"step1.conv.weight\": {}}, \"tolerance\": {\"rules\": [{\"outputs\": [\"step1.*\"], "
                + "\"compare\": \"update\", \"base\": \"model:unet.*\", \"max_abs\": 1, \"update_rel_l2\": 0.1}]}}]}");
        GoldenCase golden = GoldenManifest.load(dir.resolve("manifest.json")).cases().get(0);
        java.util.List<OutputCheck> far = Tolerances.compare(golden, Map.of("step1.conv.weight",
                HostTensor.ofFloats(new float[] {3.5f}, 1)));
        assertTrue(far.stream().anyMatch(c -> !c.passed() && c.detail().contains("update_rel_l2")), far.toString());
        java.util.List<OutputCheck> near = Tolerances.compare(golden, Map.of("step1.conv.weight",
                HostTensor.ofFloats(new float[] {3.01f}, 1)));
        assertTrue(near.stream().allMatch(OutputCheck::passed), near.toString());
        golden.close();
    }

    @Test
    void globsFollowFnmatch() {
        assertTrue(TrainingTolerances.glob("grad.*").matcher("grad.unet.a.b").matches());
        assertTrue(TrainingTolerances.glob("*_loss_step*").matcher("prior_loss_step2").matches());
        assertTrue(!TrainingTolerances.glob("loss").matcher("loss_2").matches());
        assertTrue(TrainingTolerances.glob("step?.w").matcher("step1.w").matches());
    }
}
