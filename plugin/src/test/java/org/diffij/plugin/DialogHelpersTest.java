package org.diffij.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.Prefs;
import ij.process.ByteProcessor;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diffij.pipelines.Adapter;
import org.diffij.pipelines.GenerationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the dialogs' helpers offer and do: choosers from the model folders, browse results, Help. */
class DialogHelpersTest {

    @TempDir
    Path dir;

    private static Path golden() {
        return Path.of(HeadlessImageJ.model("tiny-sd15")).getParent();
    }

    @Test
    void theModelFoldersOfferTheirLorasEmbeddingsControlNetsAndVaesByTheNamesThatCallThem() throws Exception {
        Path golden = golden();
        Path plain = Files.createDirectories(dir.resolve("models"));
        Files.createSymbolicLink(plain.resolve("tiny-sd15"), golden.resolve("tiny-sd15"));
        Files.createSymbolicLink(plain.resolve("tiny-controlnet-sd15"), golden.resolve("tiny-controlnet-sd15"));
        Files.createSymbolicLink(plain.resolve("kohya.safetensors"), golden.resolve("lora/tiny-sd15-lora-kohya.safetensors"));
        Files.createSymbolicLink(plain.resolve("relu.pt"), golden.resolve("hypernetworks/tiny-sd15-hn-relu.pt"));
        Files.writeString(plain.resolve("notes.txt"), "not a model");
        Files.createSymbolicLink(plain.resolve("tiny-vae"), golden.resolve("tiny-sd15/vae"));
        // An A1111 installation stands for its model folders.
        Path webui = dir.resolve("webui");
        Files.createDirectories(webui.resolve("models/Stable-diffusion"));
        Path loras = Files.createDirectories(webui.resolve("models/Lora"));
        Files.createSymbolicLink(loras.resolve("peft.safetensors"), golden.resolve("lora/tiny-sd15-lora-peft.safetensors"));
        Files.createSymbolicLink(loras.resolve("kohya.safetensors"), golden.resolve("lora/tiny-sd15-lora-kohya.safetensors"));
        Path embeddings = Files.createDirectories(webui.resolve("embeddings"));
        Files.createSymbolicLink(embeddings.resolve("cat-toy.pt"), golden.resolve("textual_inversion/cat-toy-a1111.pt"));
        Files.createSymbolicLink(embeddings.resolve("my-token.safetensors"),
                golden.resolve("textual_inversion/my-token-diffusers.safetensors"));
        Path vaes = Files.createDirectories(webui.resolve("models/VAE"));
        Files.createSymbolicLink(vaes.resolve("other-vae.safetensors"),
                golden.resolve("tiny-sd15/vae/diffusion_pytorch_model.safetensors"));
        Files.writeString(vaes.resolve("readme.txt"), "not a VAE");

        ModelChoices choices = ModelChoices.in(List.of(plain, webui));
        assertEquals(List.of("kohya", "peft"), choices.loras(), "once each, in lookup order, without extensions");
        assertEquals(List.of("cat-toy", "my-token"), choices.embeddings());
        assertEquals(List.of("tiny-controlnet-sd15"), choices.controlNets(), "the checkpoint and the hypernetwork "
                + "are none of these");
        assertEquals(List.of("tiny-vae", "other-vae"), choices.vaes(), "diffusers VAE folders anywhere, and what "
                + "the VAE folders hold that is a model");
        assertEquals(new ModelChoices(List.of(), List.of(), List.of(), List.of()),
                ModelChoices.in(List.of(dir.resolve("none"))));
    }

    @Test
    void pickingAndBrowsingRewriteOnlyTheirPartOfAField() {
        assertEquals("lora|kohya|1", RequestFields.withAdapter(" ", Adapter.Kind.LORA, "kohya"));
        assertEquals("lora|kohya|0.5;embedding|cat-toy|1", RequestFields.withAdapter("lora|kohya|0.5",
                Adapter.Kind.EMBEDDING, "cat-toy"));
        assertEquals(List.of(new Adapter(Adapter.Kind.LORA, "kohya", 0.5), new Adapter(Adapter.Kind.EMBEDDING,
                "cat-toy", 1)), RequestFields.adapters(RequestFields.withAdapter("lora|kohya|0.5;",
                        Adapter.Kind.EMBEDDING, "cat-toy")), "what the picker writes is read as the adapters key");
        assertEquals("canny|/m/cn|edges|0.5|0|1;depth|dn|d|1|0|1",
                ControlNetCommand.withFirstModel("canny|cn|edges|0.5|0|1;depth|dn|d|1|0|1", "/m/cn"));
        String folders = "/a" + File.pathSeparator + "/b";
        assertEquals(folders + File.pathSeparator + "/c", SettingsCommand.withFolder(folders, "/c"));
        assertEquals(folders, SettingsCommand.withFolder(folders, "/b"), "a folder is listed once");
        assertEquals("/c", SettingsCommand.withFolder("", "/c"));
    }

    @Test
    void theControlNetProposedIsTheLastUsedWhileItIsThereElseTheFirstOffered() {
        List<String> offered = List.of("control-canny", "control-depth");
        assertEquals("control-depth", ControlNetCommand.proposedModel("control-depth", offered));
        assertEquals("control-canny", ControlNetCommand.proposedModel("deleted-controlnet", offered));
        assertEquals(dir.toString(), ControlNetCommand.proposedModel(dir.toString(), offered), "a path that exists");
        assertEquals("", ControlNetCommand.proposedModel("", List.of()));
    }

    @Test
    void aControlNetRunWithoutControlsUsesOneFromTheModelFolders() throws Exception {
        Path models = Files.createDirectories(dir.resolve("models"));
        Files.createSymbolicLink(models.resolve("tiny-controlnet-sd15"), golden().resolve("tiny-controlnet-sd15"));
        String last = Prefs.get(Operations.LAST_CONTROLNET, "");
        Prefs.set(Operations.LAST_CONTROLNET, "");
        SettingsCommand.apply("models=[" + models + "] config=[] memory=[]");
        try {
            ByteProcessor edges = new ByteProcessor(64, 64);
            edges.setColor(255);
            edges.drawOval(12, 12, 40, 40);
            ImagePlus control = new ImagePlus("Edges", edges);
            ImagePlus result = new ControlNetCommand().apply(control, "model=[" + HeadlessImageJ.model("tiny-sd15")
                    + "] prompt=[a disc] sampler=[Euler a] steps=2 seed=3 width=64 height=64");
            GenerationRequest request = Provenance.request(result);
            assertEquals("tiny-controlnet-sd15", request.controls().get(0).model());
            assertEquals("Edges", request.controls().get(0).image());
        } finally {
            SettingsCommand.apply("models=[] config=[] memory=[]");
            Prefs.set(Operations.LAST_CONTROLNET, last);
        }
    }

    @Test
    void helpShowsTheCommandsReadmeSectionFromThePluginJar() {
        String generate = Help.html("Generate");
        assertTrue(generate.startsWith("<html>"), "ImageJ shows <html> help in its own window");
        assertTrue(generate.contains("<h3>" + Help.GENERATION_SECTION + "</h3>"), generate);
        assertTrue(generate.contains("<td><code>model</code></td>"), "the keys' table, as a table");
        assertFalse(generate.contains("|---|") || generate.contains("```"), "no Markdown left");
        assertFalse(generate.contains("<h3>" + Help.TRAINING_SECTION + "</h3>"), "one section only");
        assertTrue(Help.html("LoRA...").contains("<h3>Training (Plugins › Diffusion › Train ›)</h3>"));
        assertTrue(Help.html("Re-run from Image").contains("<h3>" + Help.PROVENANCE_SECTION + "</h3>"));
        assertTrue(Help.html("Canny Edges").contains("Canny Edges..."), "a control command: where its maps are used");
        assertTrue(Help.html("Nonexistent").contains("<h3>" + Help.GENERATION_SECTION), "every dialog has help");
    }

    @Test
    void theReadmesMarkdownBecomesHtmlThatImageJShows() {
        String html = Help.toHtml(List.of("### Keys", "", "Some `code` and **bold** text", "continued.", "",
                "- one", "  more", "- two", "", "| key | meaning |", "|---|---|", "| `a\\|b` | x < y |", "", "```",
                "run(\"Generate...\", \"a=1\");", "#@ not a heading", "```"));
        assertEquals("<html><body><h3>Keys</h3><p>Some <code>code</code> and <b>bold</b> text continued. </p>"
                + "<ul><li>one more<li>two</ul><table><tr><td>key</td><td>meaning</td></tr><tr><td><code>a|b</code></td>"
                + "<td>x &lt; y</td></tr></table><pre>run(\"Generate...\", \"a=1\");\n#@ not a heading\n</pre>"
                + "</body></html>", html);
        assertEquals(List.of("## B", "b", "### B1", "in B"), Help.sectionLines("# A\n## B\nb\n### B1\nin B\n## C\nc",
                "B"));
    }
}
