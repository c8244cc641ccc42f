package org.diffij.io.pickle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.diffij.io.DType;

/**
 * The allow-list: the only Python globals a torch pickle may name. Each is re-implemented here as
 * what it does to data (build a tensor view, an ordered dict, a set); nothing is ever looked up or
 * run by name, and every other global is refused with its name.
 */
final class TorchGlobals {

    /** A storage class named in a persistent id ({@code torch.FloatStorage}): the dtype of its elements. */
    record StorageType(String qualifiedName, DType dtype) {
    }

    private static final Map<String, DType> STORAGES = Map.ofEntries(
            Map.entry("DoubleStorage", DType.F64), Map.entry("FloatStorage", DType.F32),
            Map.entry("HalfStorage", DType.F16), Map.entry("BFloat16Storage", DType.BF16),
            Map.entry("LongStorage", DType.I64), Map.entry("IntStorage", DType.I32),
            Map.entry("ShortStorage", DType.I16), Map.entry("CharStorage", DType.I8),
            Map.entry("ByteStorage", DType.U8), Map.entry("BoolStorage", DType.BOOL),
            Map.entry("UntypedStorage", DType.U8));

    private TorchGlobals() {
    }

    /** The value a GLOBAL opcode pushes, or the refusal naming the global. */
    static Object resolve(String module, String name, boolean bigEndian) {
        String qualified = module + "." + name;
        if (module.equals("torch") && STORAGES.containsKey(name)) {
            return new StorageType(qualified, STORAGES.get(name));
        }
        return switch (qualified) {
            case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" ->
                    function(qualified, args -> rebuildTensor(qualified, args, bigEndian));
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" ->
                    function(qualified, args -> tensorArgument(qualified, args, 0));
            case "collections.OrderedDict" -> function(qualified, TorchGlobals::orderedDict);
            case "torch.Size" -> function(qualified, args -> new PickleTuple(sequence(qualified, args)));
            case "builtins.set", "__builtin__.set" -> function(qualified, args -> set(qualified, args));
            case "builtins.frozenset", "__builtin__.frozenset" ->
                    function(qualified, args -> Collections.unmodifiableSet(set(qualified, args)));
            default -> throw new PickleFormatException(refusal(qualified));
        };
    }

    static String refusal(String qualified) {
        String what = qualified.startsWith("__torch__.")
                ? " (a TorchScript module, not a weight file)" : "";
        return "refers to " + qualified + what + ", which Diffij never runs (from a pickle it reads only tensors "
                + "and plain data); use a .safetensors version of this file, or convert it with a tool you trust";
    }

    private static Unpickler.Callable function(String qualified, Function<PickleTuple, Object> body) {
        return new Unpickler.Callable() {
            @Override
            public String qualifiedName() {
                return qualified;
            }

            @Override
            public Object call(PickleTuple args) {
                return body.apply(args);
            }
        };
    }

    /** {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, ...)}. */
    private static TorchTensor rebuildTensor(String qualified, PickleTuple args, boolean bigEndian) {
        if (args.size() < 4 || !(args.get(0) instanceof TorchStorage storage)) {
            throw new PickleFormatException(qualified + " is called without a storage and a view");
        }
        return new TorchTensor(storage, integer(qualified, args.get(1)), longs(qualified, args.get(2)),
                longs(qualified, args.get(3)), bigEndian);
    }

    /** {@code _rebuild_parameter(data, requires_grad, backward_hooks[, state])}: the tensor itself. */
    private static TorchTensor tensorArgument(String qualified, PickleTuple args, int index) {
        if (args.size() <= index || !(args.get(index) instanceof TorchTensor tensor)) {
            throw new PickleFormatException(qualified + " is called without a tensor");
        }
        return tensor;
    }

    private static Map<Object, Object> orderedDict(PickleTuple args) {
        Map<Object, Object> dict = new LinkedHashMap<>();
        if (args.size() == 0) {
            return dict;
        }
        for (Object pair : sequence("collections.OrderedDict", args)) {
            List<Object> items = pair instanceof PickleTuple t ? t.items() : pair instanceof List<?> l
                    ? new ArrayList<>(l) : List.of();
            if (items.size() != 2) {
                throw new PickleFormatException("collections.OrderedDict is given an item that is not a pair");
            }
            dict.put(Unpickler.key(items.get(0)), items.get(1));
        }
        return dict;
    }

    private static Set<Object> set(String qualified, PickleTuple args) {
        Set<Object> set = new LinkedHashSet<>();
        sequence(qualified, args).forEach(item -> set.add(Unpickler.key(item)));
        return set;
    }

    /** The one iterable argument of a constructor like {@code set(items)}; none gives an empty one. */
    private static List<Object> sequence(String qualified, PickleTuple args) {
        if (args.size() == 0) {
            return List.of();
        }
        Object items = args.get(0);
        if (args.size() == 1 && items instanceof PickleTuple t) {
            return t.items();
        }
        if (args.size() == 1 && items instanceof List<?> l) {
            return new ArrayList<>(l);
        }
        throw new PickleFormatException(qualified + " is called with something other than one list or tuple");
    }

    private static long integer(String qualified, Object value) {
        if (value instanceof Long l) {
            return l;
        }
        throw new PickleFormatException(qualified + " expects an integer, got a " + Unpickler.typeName(value));
    }

    private static long[] longs(String qualified, Object value) {
        if (!(value instanceof PickleTuple tuple)) {
            throw new PickleFormatException(qualified + " expects a tuple of integers, got a "
                    + Unpickler.typeName(value));
        }
        long[] out = new long[tuple.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = integer(qualified, tuple.get(i));
        }
        return out;
    }
}
