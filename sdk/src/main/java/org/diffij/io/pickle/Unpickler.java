package org.diffij.io.pickle;

import java.math.BigInteger;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pickle virtual machine, restricted to data: it builds Python values (None, bool, int, float,
 * str, bytes, list, tuple, dict, set) and hands every global and persistent id to a {@link Resolver},
 * which knows the allow-list. It never looks a class up by name and never calls anything else.
 *
 * <p>Every quantity a hostile stream controls is bounded by the stream itself or a fixed limit: a
 * length prefix must fit in the bytes that remain (so nothing is allocated for data that is not
 * there), the number of opcodes and memo entries is capped, dict keys and set members must be
 * immutable scalars or tuples of them (so hashing cannot recurse through a self-containing list),
 * and the machine is a loop over a heap stack, so no input can overflow the Java stack.
 */
final class Unpickler {

    /** Real torch pickles run a few hundred thousand opcodes at most (SDXL with optimizer state). */
    static final long MAX_OPCODES = 20_000_000;
    static final int MAX_MEMO = 2_000_000;
    private static final int MAX_TEXT_LINE = 512;
    private static final int MAX_KEY_DEPTH = 8;
    private static final int HIGHEST_PROTOCOL = 5;

    /** The allow-list side: turns a global's name or a persistent id into a value, or refuses it. */
    interface Resolver {
        Object global(String module, String name);

        Object persistentLoad(Object pid);
    }

    /** A global the resolver allows to be called (by REDUCE or NEWOBJ). */
    interface Callable {
        String qualifiedName();

        Object call(PickleTuple args);
    }

    private static final Object MARK_SENTINEL = new Object();

    private final ByteBuffer in;
    private final Resolver resolver;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private long opcodes;

    private Unpickler(ByteBuffer in, Resolver resolver) {
        this.in = in.slice().order(ByteOrder.LITTLE_ENDIAN);
        this.resolver = resolver;
    }

    /** Runs one pickle from the buffer's position up to its STOP and advances the buffer past it. */
    static Object load(ByteBuffer in, Resolver resolver) {
        Unpickler machine = new Unpickler(in, resolver);
        try {
            Object result = machine.run();
            in.position(in.position() + machine.in.position());
            return result;
        } catch (BufferUnderflowException e) {
            throw new PickleFormatException("the pickle ends in the middle of an opcode (the file is truncated)");
        } catch (ClassCastException | IndexOutOfBoundsException e) {
            throw new PickleFormatException("the pickle is malformed (an opcode found the wrong kind of value at "
                    + "byte " + machine.in.position() + ")");
        }
    }

    private Object run() {
        while (true) {
            if (++opcodes > MAX_OPCODES) {
                throw new PickleFormatException("the pickle runs more than " + MAX_OPCODES
                        + " opcodes, far beyond any model file");
            }
            int at = in.position();
            int op = in.get() & 0xff;
            switch (op) {
                case 0x80 -> { // PROTO
                    int protocol = in.get() & 0xff;
                    if (protocol > HIGHEST_PROTOCOL) {
                        throw new PickleFormatException("pickle protocol " + protocol + " is newer than any Python writes");
                    }
                }
                case 0x95 -> { // FRAME: a length hint only
                    long length = in.getLong();
                    if (length < 0 || length > in.remaining()) {
                        throw new PickleFormatException("a pickle frame of " + length + " bytes runs past the end (truncated)");
                    }
                }
                case '.' -> { // STOP
                    if (stack.size() != 1 || !marks.isEmpty()) {
                        throw new PickleFormatException("the pickle stops with " + stack.size()
                                + " values on its stack instead of one");
                    }
                    return pop();
                }
                case '(' -> {
                    marks.add(stack.size());
                    stack.add(MARK_SENTINEL);
                }
                case '0' -> pop();
                case '1' -> popMark();
                case '2' -> push(peek());
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'J' -> push((long) in.getInt());
                case 'K' -> push((long) (in.get() & 0xff));
                case 'M' -> push((long) (in.getShort() & 0xffff));
                case 0x8a -> push(littleEndianInteger(in.get() & 0xff));
                case 0x8b -> push(littleEndianInteger(length(in.getInt() & 0xffffffffL)));
                case 'I' -> push(textInt(line()));
                case 'L' -> push(textLong(line()));
                case 'F' -> push(textFloat(line()));
                case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // big-endian
                case 'X' -> push(utf8(length(in.getInt() & 0xffffffffL)));
                case 0x8c -> push(utf8(in.get() & 0xff));
                case 0x8d -> push(utf8(length(in.getLong())));
                case 'T' -> push(utf8(length(in.getInt())));
                case 'U' -> push(utf8(in.get() & 0xff));
                case 'B' -> push(bytes(length(in.getInt() & 0xffffffffL)));
                case 'C' -> push(bytes(in.get() & 0xff));
                case 0x8e -> push(bytes(length(in.getLong())));
                case ')' -> push(PickleTuple.of());
                case 't' -> push(new PickleTuple(popMark()));
                case 0x85 -> push(PickleTuple.of(pop()));
                case 0x86 -> {
                    Object b = pop();
                    push(PickleTuple.of(pop(), b));
                }
                case 0x87 -> {
                    Object c = pop();
                    Object b = pop();
                    push(PickleTuple.of(pop(), b, c));
                }
                case ']' -> push(new ArrayList<>());
                case 'l' -> push(new ArrayList<>(popMark()));
                case 'a' -> {
                    Object value = pop();
                    list(peek()).add(value);
                }
                case 'e' -> {
                    List<Object> values = popMark();
                    list(peek()).addAll(values);
                }
                case '}' -> push(new LinkedHashMap<>());
                case 'd' -> {
                    Map<Object, Object> dict = new LinkedHashMap<>();
                    putPairs(dict, popMark());
                    push(dict);
                }
                case 's' -> {
                    Object value = pop();
                    Object key = pop();
                    dict(peek()).put(key(key), value);
                }
                case 'u' -> {
                    List<Object> pairs = popMark();
                    putPairs(dict(peek()), pairs);
                }
                case 0x8f -> push(new LinkedHashSet<>());
                case 0x90 -> {
                    List<Object> items = popMark();
                    Set<Object> set = set(peek());
                    items.forEach(item -> set.add(key(item)));
                }
                case 0x91 -> {
                    Set<Object> set = new LinkedHashSet<>();
                    popMark().forEach(item -> set.add(key(item)));
                    push(Collections.unmodifiableSet(set));
                }
                case 'g' -> push(memoGet(textIndex(line())));
                case 'h' -> push(memoGet(in.get() & 0xff));
                case 'j' -> push(memoGet(in.getInt() & 0xffffffffL));
                case 'p' -> memoPut(textIndex(line()));
                case 'q' -> memoPut(in.get() & 0xff);
                case 'r' -> memoPut(in.getInt() & 0xffffffffL);
                case 0x94 -> memoPut(memo.size());
                case 'c' -> {
                    String module = line();
                    String name = line();
                    push(resolver.global(module, name));
                }
                case 0x93 -> {
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw new PickleFormatException("STACK_GLOBAL at byte " + at + " names no global");
                    }
                    push(resolver.global(m, n));
                }
                case 'R' -> {
                    Object args = pop();
                    push(call(pop(), args, at));
                }
                case 0x81 -> { // NEWOBJ: cls.__new__(cls, *args), which for the allowed types is the call
                    Object args = pop();
                    push(call(pop(), args, at));
                }
                case 'b' -> build(pop(), peek(), at);
                case 'Q' -> push(resolver.persistentLoad(pop()));
                case 'P' -> push(resolver.persistentLoad(line()));
                case 'i', 'o' -> throw new PickleFormatException("the pickle builds an old-style class instance "
                        + "(opcode '" + (char) op + "' at byte " + at + "), which no torch file needs");
                case 0x82, 0x83, 0x84 -> throw new PickleFormatException("the pickle uses the copyreg extension "
                        + "registry (opcode at byte " + at + "), which no torch file needs");
                default -> throw new PickleFormatException("unknown or unsupported pickle opcode 0x"
                        + Integer.toHexString(op) + " at byte " + at + " (the file is corrupt or not a torch pickle)");
            }
        }
    }

    private Object call(Object callable, Object args, int at) {
        if (!(callable instanceof Callable function)) {
            throw new PickleFormatException("the pickle calls a value that is not an allowed function (at byte "
                    + at + ")");
        }
        if (!(args instanceof PickleTuple tuple)) {
            throw new PickleFormatException("the pickle calls " + function.qualifiedName()
                    + " without an argument tuple (at byte " + at + ")");
        }
        return function.call(tuple);
    }

    /**
     * BUILD sets an object's state. The allowed objects that get one are OrderedDicts (torch state
     * dicts carry {@code _metadata} with module versions) and parameters; the state holds no weights and
     * is dropped.
     */
    private static void build(Object state, Object target, int at) {
        if (!(target instanceof Map) && !(target instanceof TorchTensor)) {
            throw new PickleFormatException("the pickle sets the state of a " + typeName(target)
                    + " (at byte " + at + "), which no torch file does");
        }
    }

    private void putPairs(Map<Object, Object> dict, List<Object> pairs) {
        if (pairs.size() % 2 != 0) {
            throw new PickleFormatException("a dict in the pickle has a key without a value");
        }
        for (int i = 0; i < pairs.size(); i += 2) {
            dict.put(key(pairs.get(i)), pairs.get(i + 1));
        }
    }

    /** Dict keys and set members: values whose hash cannot recurse or change. */
    static Object key(Object value) {
        checkHashable(value, 0);
        return value;
    }

    private static void checkHashable(Object value, int depth) {
        if (value == null || value instanceof String || value instanceof Long || value instanceof BigInteger
                || value instanceof Double || value instanceof Boolean) {
            return;
        }
        if (value instanceof PickleTuple tuple && depth < MAX_KEY_DEPTH) {
            for (Object item : tuple.items()) {
                checkHashable(item, depth + 1);
            }
            return;
        }
        throw new PickleFormatException("the pickle uses a " + typeName(value) + " as a dict key or set member");
    }

    static String typeName(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof List) {
            return "list";
        }
        if (value instanceof Map) {
            return "dict";
        }
        if (value instanceof Set) {
            return "set";
        }
        if (value instanceof PickleTuple) {
            return "tuple";
        }
        if (value instanceof byte[]) {
            return "bytes";
        }
        if (value instanceof Callable c) {
            return c.qualifiedName();
        }
        return value.getClass().getSimpleName();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        if (value instanceof ArrayList) {
            return (List<Object>) value;
        }
        throw new PickleFormatException("the pickle appends to a " + typeName(value) + ", not a list");
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> dict(Object value) {
        if (value instanceof LinkedHashMap) {
            return (Map<Object, Object>) value;
        }
        throw new PickleFormatException("the pickle sets an item of a " + typeName(value) + ", not a dict");
    }

    @SuppressWarnings("unchecked")
    private static Set<Object> set(Object value) {
        if (value instanceof LinkedHashSet) {
            return (Set<Object>) value;
        }
        throw new PickleFormatException("the pickle adds set items to a " + typeName(value) + ", not a set");
    }

    private void push(Object value) {
        stack.add(value);
    }

    private Object peek() {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK_SENTINEL) {
            throw new PickleFormatException("the pickle reads a value from an empty stack");
        }
        return stack.get(stack.size() - 1);
    }

    private Object pop() {
        Object value = peek();
        stack.remove(stack.size() - 1);
        return value;
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw new PickleFormatException("the pickle closes a mark it never opened");
        }
        int mark = marks.remove(marks.size() - 1);
        List<Object> tail = stack.subList(mark + 1, stack.size());
        List<Object> items = new ArrayList<>(tail);
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    private Object memoGet(long index) {
        if (!memo.containsKey(index)) {
            throw new PickleFormatException("the pickle refers to memo entry " + index + ", which it never stored");
        }
        return memo.get(index);
    }

    private void memoPut(long index) {
        if (memo.size() >= MAX_MEMO && !memo.containsKey(index)) {
            throw new PickleFormatException("the pickle stores more than " + MAX_MEMO + " memo entries");
        }
        memo.put(index, peek());
    }

    /** A length prefix, checked against the bytes that are actually left. */
    private int length(long declared) {
        if (declared < 0 || declared > in.remaining()) {
            throw new PickleFormatException("a value of " + Long.toUnsignedString(declared) + " bytes runs past the "
                    + "end of the pickle (" + in.remaining() + " bytes left): the file is truncated or corrupt");
        }
        return (int) declared;
    }

    private String utf8(int length) {
        byte[] bytes = bytes(length);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private byte[] bytes(int length) {
        byte[] bytes = new byte[length(length)];
        in.get(bytes);
        return bytes;
    }

    /** LONG1/LONG4: little-endian two's complement; a long where it fits, else a BigInteger. */
    private Object littleEndianInteger(int length) {
        byte[] little = bytes(length);
        if (length == 0) {
            return 0L;
        }
        byte[] big = new byte[length];
        for (int i = 0; i < length; i++) {
            big[i] = little[length - 1 - i];
        }
        BigInteger value = new BigInteger(big);
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }

    private String line() {
        StringBuilder text = new StringBuilder();
        while (true) {
            byte b = in.get();
            if (b == '\n') {
                return text.toString();
            }
            if (text.length() >= MAX_TEXT_LINE) {
                throw new PickleFormatException("a text opcode's argument is longer than " + MAX_TEXT_LINE
                        + " characters");
            }
            text.append((char) (b & 0xff));
        }
    }

    private static Object textInt(String text) {
        if (text.equals("00")) {
            return Boolean.FALSE;
        }
        if (text.equals("01")) {
            return Boolean.TRUE;
        }
        return textLong(text);
    }

    private static Object textLong(String text) {
        String digits = text.endsWith("L") ? text.substring(0, text.length() - 1) : text;
        try {
            BigInteger value = new BigInteger(digits);
            return value.bitLength() < 64 ? (Object) value.longValue() : value;
        } catch (NumberFormatException e) {
            throw new PickleFormatException("'" + digits + "' is not an integer");
        }
    }

    private static double textFloat(String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new PickleFormatException("'" + text + "' is not a float");
        }
    }

    private static long textIndex(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new PickleFormatException("'" + text + "' is not a memo index");
        }
    }
}
