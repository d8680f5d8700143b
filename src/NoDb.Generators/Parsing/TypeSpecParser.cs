using Microsoft.CodeAnalysis;
using NoDb.Generators.Model;

namespace NoDb.Generators.Parsing;

/// <summary>Turns a member's type symbol into a <see cref="TypeSpec"/>.</summary>
internal static class TypeSpecParser
{
    private static readonly SymbolDisplayFormat FullName = SymbolDisplayFormat.FullyQualifiedFormat.WithMiscellaneousOptions(
        SymbolDisplayFormat.FullyQualifiedFormat.MiscellaneousOptions | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>The spec, or <see langword="null"/> when the type cannot be stored in JSON at all.</summary>
    public static TypeSpec? Parse(ITypeSymbol type)
    {
        string name = type.ToDisplayString(FullName);
        // Tuples too: System.Text.Json skips their fields, so their values would be lost without a word.
        if (type is IPointerTypeSymbol or IFunctionPointerTypeSymbol || type.TypeKind == TypeKind.Delegate || type.IsRefLikeType || type.IsTupleType)
        {
            return null;
        }

        switch (type.SpecialType)
        {
            case SpecialType.System_String: return new TypeSpec(TypeShape.String, name, null);
            case SpecialType.System_Boolean: return new TypeSpec(TypeShape.Boolean, name, null);
            case SpecialType.System_Byte: return new TypeSpec(TypeShape.Byte, name, null);
            case SpecialType.System_SByte: return new TypeSpec(TypeShape.SByte, name, null);
            case SpecialType.System_Int16: return new TypeSpec(TypeShape.Int16, name, null);
            case SpecialType.System_UInt16: return new TypeSpec(TypeShape.UInt16, name, null);
            case SpecialType.System_Int32: return new TypeSpec(TypeShape.Int32, name, null);
            case SpecialType.System_UInt32: return new TypeSpec(TypeShape.UInt32, name, null);
            case SpecialType.System_Int64: return new TypeSpec(TypeShape.Int64, name, null);
            case SpecialType.System_UInt64: return new TypeSpec(TypeShape.UInt64, name, null);
            case SpecialType.System_Single: return new TypeSpec(TypeShape.Single, name, null);
            case SpecialType.System_Double: return new TypeSpec(TypeShape.Double, name, null);
            case SpecialType.System_Decimal: return new TypeSpec(TypeShape.Decimal, name, null);
            case SpecialType.System_DateTime: return new TypeSpec(TypeShape.DateTime, name, null);
        }

        if (type.TypeKind == TypeKind.Enum)
        {
            return new TypeSpec(TypeShape.Enum, name, null);
        }

        if (type is IArrayTypeSymbol { IsSZArray: true } array)
        {
            return Container(TypeShape.Array, name, array.ElementType);
        }

        if (type is INamedTypeSymbol named)
        {
            INamedTypeSymbol definition = named.OriginalDefinition;
            if (definition.SpecialType == SpecialType.System_Nullable_T)
            {
                return Container(TypeShape.Nullable, name, named.TypeArguments[0]);
            }

            string definitionName = definition.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            switch (definitionName)
            {
                case "global::System.DateTimeOffset": return new TypeSpec(TypeShape.DateTimeOffset, name, null);
                case "global::System.TimeSpan": return new TypeSpec(TypeShape.TimeSpan, name, null);
                case "global::System.Guid": return new TypeSpec(TypeShape.Guid, name, null);
                case "global::System.Collections.Generic.List<T>":
                    return Container(TypeShape.List, name, named.TypeArguments[0]);
                case "global::System.Collections.Generic.Dictionary<TKey, TValue>"
                    when named.TypeArguments[0].SpecialType == SpecialType.System_String:
                    return Container(TypeShape.Dictionary, name, named.TypeArguments[1]);
            }
        }

        return new TypeSpec(TypeShape.Json, name, null);
    }

    private static TypeSpec? Container(TypeShape shape, string name, ITypeSymbol element) =>
        Parse(element) is { } inner ? new TypeSpec(shape, name, inner) : null;
}
