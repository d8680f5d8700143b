using Microsoft.CodeAnalysis.CSharp;
using NoDb.Generators.Model;

namespace NoDb.Generators.Emitting;

/// <summary>Writes the statements that read and write one value of a <see cref="TypeSpec"/>, without reflection.</summary>
internal static class SerializationEmitter
{
    private const string Json = "global::NoDb.Infrastructure.NoDbJson";
    private const string TokenType = "global::System.Text.Json.JsonTokenType";
    private const string JsonException = "global::System.Text.Json.JsonException";

    /// <summary>Writes statements that read the value at the reader into <paramref name="target"/>.</summary>
    public static void EmitRead(SourceWriter writer, TypeSpec type, string target, int depth)
    {
        if (SimpleRead(type) is { } expression)
        {
            writer.Line($"{target} = {expression};");
            return;
        }

        switch (type.Shape)
        {
            case TypeShape.Nullable:
                writer.Open($"if (reader.TokenType == {TokenType}.Null)");
                writer.Line($"{target} = null;");
                writer.Close();
                writer.Open("else");
                EmitRead(writer, type.Element!, target, depth + 1);
                writer.Close();
                break;

            case TypeShape.Array:
            case TypeShape.List:
                string list = $"list{depth}";
                string item = $"item{depth}";
                EmitNullOr(writer, target, "StartArray", "an array");
                writer.Line($"var {list} = new global::System.Collections.Generic.List<{type.Element!.FullName}>();");
                writer.Open($"while (reader.Read() && reader.TokenType != {TokenType}.EndArray)");
                writer.Line($"{type.Element.FullName} {item};");
                EmitRead(writer, type.Element, item, depth + 1);
                writer.Line($"{list}.Add({item});");
                writer.Close();
                writer.Line($"{target} = {list}{(type.Shape == TypeShape.Array ? ".ToArray()" : "")};");
                writer.Close();
                break;

            case TypeShape.Dictionary:
                string dictionary = $"dictionary{depth}";
                string key = $"key{depth}";
                string value = $"value{depth}";
                EmitNullOr(writer, target, "StartObject", "an object");
                writer.Line($"var {dictionary} = new global::System.Collections.Generic.Dictionary<string, {type.Element!.FullName}>();");
                writer.Open($"while (reader.Read() && reader.TokenType != {TokenType}.EndObject)");
                writer.Line($"string {key} = reader.GetString()!;");
                writer.Line("reader.Read();");
                writer.Line($"{type.Element.FullName} {value};");
                EmitRead(writer, type.Element, value, depth + 1);
                writer.Line($"{dictionary}[{key}] = {value};");
                writer.Close();
                writer.Line($"{target} = {dictionary};");
                writer.Close();
                break;
        }
    }

    /// <summary>Writes statements that write <paramref name="value"/> as a JSON value.</summary>
    /// <param name="member">
    /// The member's JSON name when <paramref name="value"/> is the member itself (not an element of it): a value written by
    /// System.Text.Json then keeps the members of nested objects that this build does not know.
    /// </param>
    public static void EmitWrite(SourceWriter writer, TypeSpec type, string value, int depth, string? member = null)
    {
        switch (type.Shape)
        {
            case TypeShape.String:
            case TypeShape.DateTime:
            case TypeShape.DateTimeOffset:
            case TypeShape.Guid:
                writer.Line($"writer.WriteStringValue({value});");
                break;
            case TypeShape.Boolean:
                writer.Line($"writer.WriteBooleanValue({value});");
                break;
            case TypeShape.Byte:
            case TypeShape.SByte:
            case TypeShape.Int16:
            case TypeShape.UInt16:
            case TypeShape.Int32:
            case TypeShape.UInt32:
            case TypeShape.Int64:
            case TypeShape.UInt64:
            case TypeShape.Decimal:
                writer.Line($"writer.WriteNumberValue({value});");
                break;
            case TypeShape.Single:
                writer.Line($"{Json}.WriteSingle(writer, {value});");
                break;
            case TypeShape.Double:
                writer.Line($"{Json}.WriteDouble(writer, {value});");
                break;
            case TypeShape.TimeSpan:
                writer.Line($"{Json}.WriteTimeSpan(writer, {value});");
                break;
            case TypeShape.Enum:
                writer.Line($"{Json}.WriteEnum<{type.FullName}>(writer, {value});");
                break;
            case TypeShape.Json:
                writer.Line(member is null
                    ? $"{Json}.Serialize<{type.FullName}>(writer, {value});"
                    : $"{Json}.Serialize<{type.FullName}>(writer, {value}, {SymbolDisplay.FormatLiteral(member, quote: true)});");
                break;
            case TypeShape.Nullable:
                writer.Open($"if ({value} is {{ }} present{depth})");
                EmitWrite(writer, type.Element!, $"present{depth}", depth + 1, member);
                writer.Close();
                writer.Open("else");
                writer.Line("writer.WriteNullValue();");
                writer.Close();
                break;
            case TypeShape.Array:
            case TypeShape.List:
                writer.Open($"if ({value} is {{ }} items{depth})");
                writer.Line("writer.WriteStartArray();");
                writer.Open($"foreach (var item{depth} in items{depth})");
                EmitWrite(writer, type.Element!, $"item{depth}", depth + 1);
                writer.Close();
                writer.Line("writer.WriteEndArray();");
                writer.Close();
                writer.Open("else");
                writer.Line("writer.WriteNullValue();");
                writer.Close();
                break;
            case TypeShape.Dictionary:
                writer.Open($"if ({value} is {{ }} pairs{depth})");
                writer.Line("writer.WriteStartObject();");
                writer.Open($"foreach (var pair{depth} in pairs{depth})");
                writer.Line($"writer.WritePropertyName(pair{depth}.Key);");
                EmitWrite(writer, type.Element!, $"pair{depth}.Value", depth + 1);
                writer.Close();
                writer.Line("writer.WriteEndObject();");
                writer.Close();
                writer.Open("else");
                writer.Line("writer.WriteNullValue();");
                writer.Close();
                break;
        }
    }

    /// <summary>Whether reading or writing <paramref name="type"/> declares local variables.</summary>
    public static bool DeclaresLocals(TypeSpec type) =>
        type.Shape is TypeShape.Nullable or TypeShape.Array or TypeShape.List or TypeShape.Dictionary;

    /// <summary>A C# string literal of <paramref name="text"/> as UTF-8 bytes: <c>"name"u8</c>.</summary>
    public static string Utf8Literal(string text) => SymbolDisplay.FormatLiteral(text, quote: true) + "u8";

    private static string? SimpleRead(TypeSpec type) => type.Shape switch
    {
        TypeShape.String => "reader.GetString()!",
        TypeShape.Boolean => "reader.GetBoolean()",
        TypeShape.Byte => "reader.GetByte()",
        TypeShape.SByte => "reader.GetSByte()",
        TypeShape.Int16 => "reader.GetInt16()",
        TypeShape.UInt16 => "reader.GetUInt16()",
        TypeShape.Int32 => "reader.GetInt32()",
        TypeShape.UInt32 => "reader.GetUInt32()",
        TypeShape.Int64 => "reader.GetInt64()",
        TypeShape.UInt64 => "reader.GetUInt64()",
        TypeShape.Single => $"{Json}.ReadSingle(ref reader)",
        TypeShape.Double => $"{Json}.ReadDouble(ref reader)",
        TypeShape.Decimal => "reader.GetDecimal()",
        TypeShape.DateTime => "reader.GetDateTime()",
        TypeShape.DateTimeOffset => "reader.GetDateTimeOffset()",
        TypeShape.TimeSpan => $"{Json}.ReadTimeSpan(ref reader)",
        TypeShape.Guid => "reader.GetGuid()",
        TypeShape.Enum => $"{Json}.ReadEnum<{type.FullName}>(ref reader)",
        TypeShape.Json => $"{Json}.Deserialize<{type.FullName}>(ref reader)!",
        _ => null,
    };

    private static void EmitNullOr(SourceWriter writer, string target, string startToken, string description)
    {
        writer.Open($"if (reader.TokenType == {TokenType}.Null)");
        writer.Line($"{target} = null!;");
        writer.Close();
        writer.Open("else");
        writer.Open($"if (reader.TokenType != {TokenType}.{startToken})");
        writer.Line($"throw new {JsonException}(\"Expected {description}.\");");
        writer.Close();
    }
}
