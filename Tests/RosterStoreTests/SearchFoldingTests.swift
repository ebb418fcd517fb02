import RosterStore
import Testing

@Suite("SearchFolding")
struct SearchFoldingTests {
    @Test(
        "folding removes case, diacritics and apostrophes, maps letters without a decomposition, and keeps one space between words",
        arguments: [
            ("Zoë", "zoe"), ("Ødegård", "odegard"), ("ÆRØ", "aero"), ("Straße", "strasse"), ("Łódź", "lodz"),
            ("Đorđević", "dordevic"), ("São Paulo", "sao paulo"), ("UK Staff", "uk staff"), ("李", "李"),
            ("O'Brien", "obrien"), ("O’Brien", "obrien"), ("o'b", "ob"), ("Smith-Jones", "smith jones"),
            ("smith\\jones", "smith jones"), ("  UK  --  Staff ", "uk staff "), ("'", ""), ("uk ", "uk "),
        ]
    )
    func folds(input: String, expected: String) {
        #expect(SearchFolding.fold(input) == expected)
    }

    @Test("word starts are the folded text from each word on")
    func wordStarts() {
        #expect(
            SearchFolding.wordStarts(in: "uk-london Ops (2024)") == [
                "uk london ops 2024 ", "london ops 2024 ", "ops 2024 ", "2024 ",
            ]
        )
        #expect(SearchFolding.wordStarts(in: "Anna Smith-Jones") == ["anna smith jones", "smith jones", "jones"])
        #expect(SearchFolding.wordStarts(in: "O'Brien's Team") == ["obriens team", "team"])
        #expect(SearchFolding.wordStarts(in: "  ") == [])
    }
}
