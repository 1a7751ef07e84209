package io.genstream.generator.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import io.genstream.core.messages.GenerationRequest;
import io.genstream.core.messages.InvalidRequestException;
import io.genstream.core.messages.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An Open Inference Protocol (KServe V2) inference request, read with a streaming parser: tensor
 * data goes straight into primitive arrays, never into a tree of a million nodes.
 *
 * <pre>{"id"?: "r1", "parameters"?: {"seed": 7, "count": 2},
 *  "inputs": [{"name": "z", "shape": [2, 4], "datatype": "FP32", "data": [0.1, ...]},
 *             {"name": "label", "shape": [2], "datatype": "INT64", "data": [3, 5]}],
 *  "outputs"?: [{"name": "image"}]}</pre>
 *
 * {@code data} is row-major and may be flat or nested per dimension (it is flattened). Floats are
 * rounded once from their decimal text, exactly as {@code /v1/generate} reads {@code latents}, so
 * the same numbers give the same images on both routes. Binary tensor data (Triton's extension)
 * is refused with a message saying so.
 *
 * @param id the request's {@code id}, or {@code null}
 * @param parameters the request's {@code parameters} object (may be empty)
 * @param inputs the input tensors by name, in the order given
 */
record InferRequest(String id, Map<String, JsonNode> parameters, Map<String, Tensor> inputs) {

  static final String LATENT_INPUT = "z";
  static final String LABEL_INPUT = "label";
  static final String IMAGE_OUTPUT = "image";
  /** Most values one tensor may hold: the largest latent batch a request may carry. */
  static final int MAX_VALUES = GenerationRequest.MAX_COUNT * GenerationRequest.MAX_LATENT_DIM;
  private static final int MAX_ID_LENGTH = 256;
  private static final Set<String> FIELDS = Set.of("id", "parameters", "inputs", "outputs");
  private static final Set<String> TENSOR_FIELDS =
      Set.of("name", "shape", "datatype", "parameters", "data");

  /**
   * One input tensor. {@code floats} holds every value; {@code longs} holds them too while every
   * value is an integer that fits a long, else it is {@code null}.
   */
  record Tensor(String name, long[] shape, String datatype, float[] floats, long[] longs) {

    int size() {
      return floats.length;
    }

    /** Product of the shape's dimensions. */
    long elements() {
      long n = 1;
      for (long dim : shape) {
        n *= dim;
      }
      return n;
    }

    String shapeText() {
      return Arrays.toString(shape);
    }
  }

  /** A JSON reader for bodies of at most {@code maxBytes}, refusing anything outside its limits. */
  static JsonFactory factory(int maxBytes) {
    return JsonFactory.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxDocumentLength(maxBytes)
            .maxNestingDepth(16)
            .maxNumberLength(64)
            .maxNameLength(256)
            .maxStringLength(64 * 1024)
            .build())
        .build();
  }

  /**
   * Parses and checks the body's structure (not yet against a model).
   *
   * @throws InvalidRequestException naming what is wrong and where
   */
  static InferRequest parse(byte[] body, JsonFactory factory) {
    try (JsonParser p = factory.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new InvalidRequestException("inference request must be a JSON object");
      }
      String id = null;
      Map<String, JsonNode> parameters = Map.of();
      Map<String, Tensor> inputs = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        switch (field) {
          case "id" -> id = idValue(p);
          case "parameters" -> parameters = parameters(p, "parameters");
          case "inputs" -> inputs = inputs(p);
          case "outputs" -> outputs(p);
          default -> throw unknownField(field, "", FIELDS);
        }
      }
      if (p.nextToken() != null) {
        throw new InvalidRequestException("malformed JSON: content after the request object");
      }
      return new InferRequest(id, parameters, inputs == null ? Map.of() : inputs);
    } catch (StreamConstraintsException e) {
      throw new InvalidRequestException("inference request exceeds a limit: "
          + e.getOriginalMessage());
    } catch (JsonParseException e) {
      throw new InvalidRequestException("malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new InvalidRequestException("unreadable inference request: " + e.getMessage());
    }
  }

  private static String idValue(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      throw new InvalidRequestException("id must be a string, got " + p.currentToken().asString());
    }
    String id = p.getText();
    if (id.isBlank() || id.length() > MAX_ID_LENGTH) {
      throw new InvalidRequestException("id must be 1.." + MAX_ID_LENGTH + " characters, got "
          + id.length());
    }
    return id;
  }

  private static Map<String, JsonNode> parameters(JsonParser p, String where) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return Map.of();
    }
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new InvalidRequestException(where + " must be an object");
    }
    Map<String, JsonNode> parameters = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      parameters.put(name, Json.MAPPER.readTree(p));
    }
    return parameters;
  }

  private static Map<String, Tensor> inputs(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw new InvalidRequestException("inputs must be an array of tensors");
    }
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      Tensor tensor = tensor(p, inputs.size());
      if (inputs.put(tensor.name(), tensor) != null) {
        throw new InvalidRequestException("input '" + tensor.name() + "' is given twice");
      }
    }
    return inputs;
  }

  private static Tensor tensor(JsonParser p, int index) throws IOException {
    String where = "inputs[" + index + "]";
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new InvalidRequestException(where + " must be a tensor object {\"name\", \"shape\", "
          + "\"datatype\", \"data\"}");
    }
    String name = null;
    long[] shape = null;
    String datatype = null;
    Values data = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      switch (field) {
        case "name" -> name = text(p, where + ".name");
        case "shape" -> shape = shape(p, where + ".shape");
        case "datatype" -> datatype = text(p, where + ".datatype");
        case "parameters" -> {
          if (parameters(p, where + ".parameters").containsKey("binary_data_size")) {
            throw new InvalidRequestException(where + " uses binary tensor data "
                + "(binary_data_size); this server reads tensor data as JSON only");
          }
        }
        case "data" -> data = values(p, where + ".data");
        default -> throw unknownField(field, where + ".", TENSOR_FIELDS);
      }
    }
    if (name == null) {
      throw new InvalidRequestException(where + ".name is required");
    }
    String tensor = "input '" + name + "'";
    if (shape == null) {
      throw new InvalidRequestException(tensor + ": shape is required");
    }
    if (datatype == null) {
      throw new InvalidRequestException(tensor + ": datatype is required");
    }
    if (data == null) {
      throw new InvalidRequestException(tensor + ": data is required");
    }
    Tensor t = new Tensor(name, shape, datatype, data.floats(), data.longs());
    if (t.elements() != t.size()) {
      throw new InvalidRequestException(tensor + " has " + t.size() + " values but shape "
          + t.shapeText() + " needs " + t.elements());
    }
    return t;
  }

  private static void outputs(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return;
    }
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw new InvalidRequestException("outputs must be an array of {\"name\": ...}");
    }
    while (p.nextToken() != JsonToken.END_ARRAY) {
      JsonNode output = Json.MAPPER.readTree(p);
      String name = output.path("name").asText(null);
      if (!IMAGE_OUTPUT.equals(name)) {
        throw new InvalidRequestException("unknown output '" + name + "', expected one of ["
            + IMAGE_OUTPUT + "]");
      }
      if (output.path("parameters").path("binary_data").asBoolean(false)) {
        throw new InvalidRequestException("output '" + IMAGE_OUTPUT + "' asks for binary data; "
            + "this server answers with JSON data only");
      }
    }
  }

  private static String text(JsonParser p, String where) throws IOException {
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      throw new InvalidRequestException(where + " must be a string, got "
          + p.currentToken().asString());
    }
    return p.getText();
  }

  private static long[] shape(JsonParser p, String where) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw new InvalidRequestException(where + " must be an array of dimensions");
    }
    List<Long> dims = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 0
          || p.getLongValue() > MAX_VALUES || dims.size() >= 8) {
        throw new InvalidRequestException(where + " must hold up to 8 dimensions of 0.."
            + MAX_VALUES);
      }
      dims.add(p.getLongValue());
    }
    return dims.stream().mapToLong(Long::longValue).toArray();
  }

  /** A tensor's values, flat or nested arrays of numbers, flattened row-major. */
  private static Values values(JsonParser p, String where) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw new InvalidRequestException(where + " must be an array of numbers");
    }
    Values values = new Values();
    int depth = 1;
    while (depth > 0) {
      JsonToken token = p.nextToken();
      switch (token) {
        case START_ARRAY -> depth++;
        case END_ARRAY -> depth--;
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
          if (values.size == MAX_VALUES) {
            throw new InvalidRequestException(where + " has more than " + MAX_VALUES + " values");
          }
          values.add(p, token == JsonToken.VALUE_NUMBER_INT);
        }
        default -> throw new InvalidRequestException(where + " must hold numbers only, got "
            + token.asString() + " at value " + values.size);
      }
    }
    return values;
  }

  private static InvalidRequestException unknownField(String field, String prefix,
      Set<String> known) {
    return new InvalidRequestException("unknown field '" + prefix + field + "', expected one of "
        + known.stream().sorted().toList());
  }

  /** Growable primitive storage for one tensor's values. */
  private static final class Values {
    float[] floats = new float[64];
    long[] longs = new long[64];
    int size;

    void add(JsonParser p, boolean integral) throws IOException {
      if (size == floats.length) {
        floats = Arrays.copyOf(floats, size * 2);
        if (longs != null) {
          longs = Arrays.copyOf(longs, size * 2);
        }
      }
      if (integral && longs != null && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
        longs[size] = p.getLongValue();
        floats[size] = p.getLongValue();
      } else {
        longs = null;
        // Rounded once from the decimal text, as GenerationRequest reads latents.
        floats[size] = p.getDecimalValue().floatValue();
      }
      size++;
    }

    float[] floats() {
      return Arrays.copyOf(floats, size);
    }

    long[] longs() {
      return longs == null ? null : Arrays.copyOf(longs, size);
    }
  }
}
