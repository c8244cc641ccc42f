package org.diffij.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.diffij.DiffijException;
import org.diffij.nn.Autograd;
import org.diffij.nn.LowRankBranches;
import org.diffij.nn.ParameterTree;

/**
 * The low-rank adapters being trained: per adapted layer {@code lora_A} ({@code [rank, in]}, kohya's
 * {@code lora_down}) and {@code lora_B} ({@code [out, rank]}, {@code lora_up}), added to the frozen
 * layer's output as {@code (alpha / rank) · B(A(x))} through the same run-time branches generation
 * uses. Names follow PEFT's state dict with the component in front
 * ({@code unet.down_blocks.1....attn1.to_q.lora_A.weight}), as diffusers' training scripts see them.
 */
public final class LoraNetwork {

    /** Which layers of a component get an adapter. */
    public enum Targets {
        /** diffusers' scripts: the attention projections ({@code to_q/k/v/out.0}; CLIP's {@code q/k/v/out_proj}). */
        ATTENTION(Pattern.compile(".*\\.(to_q|to_k|to_v|to_out\\.0)"),
                Pattern.compile(".*\\.self_attn\\.(q_proj|k_proj|v_proj|out_proj)")),
        /**
         * kohya's default: every linear and 1×1 convolution inside the UNet's transformer blocks
         * ({@code Transformer2DModel}), and CLIP's attention and MLP.
         */
        KOHYA(Pattern.compile(".*attentions\\.\\d+\\.(proj_in|proj_out|transformer_blocks\\.\\d+\\..*)"),
                Pattern.compile(".*\\.(self_attn\\.(q_proj|k_proj|v_proj|out_proj)|mlp\\.(fc1|fc2))"));

        private final Pattern unet;
        private final Pattern textEncoder;

        Targets(Pattern unet, Pattern textEncoder) {
            this.unet = unet;
            this.textEncoder = textEncoder;
        }

        public static Targets of(String name) {
            return switch (name) {
                case "attention" -> ATTENTION;
                case "kohya" -> KOHYA;
                default -> throw new DiffijException("LoRA targets '" + name + "' are not known; use kohya or attention");
            };
        }

        boolean matches(String component, String module) {
            return (component.equals("unet") ? unet : textEncoder).matcher(module).matches();
        }
    }

    /**
     * The UNet modules kohya's LoCon ({@code conv_dim}) adds: everything inside ResnetBlock2D,
     * Downsample2D and Upsample2D — the 3×3 convolutions at the conv rank, their linear and 1×1 layers
     * ({@code time_emb_proj}, {@code conv_shortcut}) at the LoRA rank.
     */
    private static final Pattern CONV_MODULES = Pattern.compile(
            ".*(resnets\\.\\d+\\.(conv1|conv2|conv_shortcut|time_emb_proj)|downsamplers\\.0\\.conv|upsamplers\\.0\\.conv)");

    /** Rank and alpha of the layers of one kind. */
    public record Dimension(int rank, float alpha) {
    }

    /**
     * One adapted layer of one component: {@code down} is {@code [rank, in]} ({@code [rank, in, k, k]}
     * on a k×k convolution, k > 1), {@code up} {@code [out, rank]}.
     */
    public record Module(String component, String path, NDArray down, NDArray up, long[] weightShape, float alpha) {

        /** Whether the adapted layer is a convolution (its LoRA is saved with kernel shapes). */
        public boolean convolution() {
            return weightShape.length == 4;
        }

        public int rank() {
            return (int) down.getShape().get(0);
        }

        /** alpha / rank: what the branch's output is multiplied by. */
        public float scale() {
            return alpha / rank();
        }
    }

    private final List<Module> modules;
    private final Dimension linear;
    private final Dimension conv;

    private LoraNetwork(List<Module> modules, Dimension linear, Dimension conv) {
        if (modules.isEmpty()) {
            throw new DiffijException("no layer of the model matches the LoRA targets");
        }
        this.modules = List.copyOf(modules);
        this.linear = linear;
        this.conv = conv;
    }

    /**
     * New adapters on every targeted linear or 1×1 convolution of the given components
     * ({@code unet}, {@code text_encoder}, {@code text_encoder_2} → their parameter trees), and with a
     * {@code conv} dimension (null: none) on kohya's LoCon modules of the UNet:
     * {@code lora_A ~ N(0, 1/rank²)} as PEFT's "gaussian" init, {@code lora_B = 0}, so training starts
     * from the base model's own outputs. Draws from the engine's generator: seed it first.
     */
    public static LoraNetwork create(Map<String, ParameterTree> components, Targets targets, Dimension linear,
            Dimension conv, NDManager manager) {
        if (linear.rank() < 1 || conv != null && conv.rank() < 1) {
            throw new DiffijException("LoRA rank must be 1 or more, not " + (linear.rank() < 1 ? linear : conv).rank());
        }
        List<Module> modules = new ArrayList<>();
        components.forEach((component, tree) -> {
            for (Map.Entry<String, NDArray> p : tree.named().entrySet()) {
                String key = p.getKey();
                long[] shape = p.getValue().getShape().getShape();
                if (!key.endsWith(".weight") || shape.length != 2 && shape.length != 4) {
                    continue;
                }
                String module = key.substring(0, key.length() - ".weight".length());
                boolean kernel = shape.length == 4 && (shape[2] != 1 || shape[3] != 1);
                boolean locon = conv != null && component.equals("unet") && CONV_MODULES.matcher(module).matches();
                if (!locon && (kernel || !targets.matches(component, module))) {
                    continue;
                }
                Dimension d = kernel ? conv : linear;
                Shape downShape = kernel ? new Shape(d.rank(), shape[1], shape[2], shape[3]) : new Shape(d.rank(), shape[1]);
                NDArray down = manager.randomNormal(0, 1f / d.rank(), downShape, p.getValue().getDataType());
                NDArray up = manager.zeros(new Shape(shape[0], d.rank()), p.getValue().getDataType());
                modules.add(new Module(component, module, down, up, shape, d.alpha()));
            }
        });
        return trainable(new LoraNetwork(modules, linear, conv));
    }

    /**
     * Adapters with given values, by PEFT name ({@code <component>.<module>.lora_A.weight} /
     * {@code lora_B}), on layers of the given components; the values are copied into {@code manager}.
     */
    public static LoraNetwork of(Map<String, ParameterTree> components, Map<String, NDArray> values, Dimension linear,
            Dimension conv, NDManager manager) {
        Map<String, NDArray[]> pairs = new LinkedHashMap<>();
        values.forEach((name, value) -> {
            boolean isDown = name.endsWith(".lora_A.weight");
            if (!isDown && !name.endsWith(".lora_B.weight")) {
                throw new DiffijException("'" + name + "' is not a PEFT LoRA tensor name (….lora_A.weight / lora_B.weight)");
            }
            String module = name.substring(0, name.length() - ".lora_A.weight".length());
            pairs.computeIfAbsent(module, k -> new NDArray[2])[isDown ? 0 : 1] = value.duplicate();
            pairs.get(module)[isDown ? 0 : 1].attach(manager);
        });
        List<Module> modules = new ArrayList<>();
        for (Map.Entry<String, NDArray[]> pair : pairs.entrySet()) {
            String qualified = pair.getKey();
            int dot = qualified.indexOf('.');
            String component = qualified.substring(0, dot);
            String module = qualified.substring(dot + 1);
            ParameterTree tree = components.get(component);
            if (tree == null || !tree.named().containsKey(module + ".weight")) {
                throw new DiffijException("LoRA tensor for " + qualified + ": the model has no such layer");
            }
            NDArray[] ab = pair.getValue();
            if (ab[0] == null || ab[1] == null) {
                throw new DiffijException("LoRA for " + qualified + " lacks its lora_A or lora_B tensor");
            }
            long[] weight = tree.get(module + ".weight").getShape().getShape();
            boolean kernel = ab[0].getShape().dimension() == 4 && (weight[2] != 1 || weight[3] != 1);
            if (kernel && conv == null) {
                throw new DiffijException("LoRA tensor for " + qualified + " adapts a " + weight[2] + "x" + weight[3]
                        + " convolution but the run has no conv_rank");
            }
            modules.add(new Module(component, module, ab[0], ab[1], weight, (kernel ? conv : linear).alpha()));
        }
        return trainable(new LoraNetwork(modules, linear, conv));
    }

    private static LoraNetwork trainable(LoraNetwork network) {
        for (Module m : network.modules) {
            Autograd.requireGradient(m.down(), true);
            Autograd.requireGradient(m.up(), true);
        }
        return network;
    }

    /** Rank and alpha of the linear and 1×1 layers. */
    public Dimension linear() {
        return linear;
    }

    /** Rank and alpha of the k×k convolutions (LoCon); null when there are none. */
    public Dimension conv() {
        return conv;
    }

    public List<Module> modules() {
        return modules;
    }

    /** The trained tensors by PEFT name, in layer order (A before B). */
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> named = new LinkedHashMap<>();
        for (Module m : modules) {
            named.put(m.component() + "." + m.path() + ".lora_A.weight", m.down());
            named.put(m.component() + "." + m.path() + ".lora_B.weight", m.up());
        }
        return named;
    }

    /** Whether any adapter sits on {@code component}. */
    public boolean adapts(String component) {
        return modules.stream().anyMatch(m -> m.component().equals(component));
    }

    /** The run-time branches of one component's adapters at {@code multiplier} (1 while training). */
    public Map<String, List<LowRankBranches.Branch>> branches(String component, float multiplier) {
        Map<String, List<LowRankBranches.Branch>> branches = new LinkedHashMap<>();
        for (Module m : modules) {
            if (m.component().equals(component)) {
                branches.put(m.path(), List.of(new LowRankBranches.Branch(m.down(), m.up(), multiplier * m.scale())));
            }
        }
        return branches;
    }
}
