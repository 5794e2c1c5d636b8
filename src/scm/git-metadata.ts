/**
 * Paths git itself interprets rather than stores as content. `.gitattributes` can name filter drivers
 * that run commands on whoever checks the change out; `.gitmodules` and `.git` redirect where git looks.
 * Names are compared the way git's own NTFS/HFS protections do: case-insensitively, ignoring trailing
 * dots and spaces, NTFS stream suffixes, 8.3 short names and HFS+ ignorable code points.
 */
export type GitMetadataKind = "gitattributes" | "git_metadata";

const HFS_IGNORABLE = /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/g;

export function gitMetadataKind(path: string): GitMetadataKind | null {
  let kind: GitMetadataKind | null = null;
  for (const component of path.split("/")) {
    const name = component.replace(HFS_IGNORABLE, "").toLowerCase().split(":")[0]?.replace(/[. ]+$/, "") ?? "";
    if (name === ".gitattributes" || /^gitatt~\d+$/.test(name)) kind = "gitattributes";
    else if (name === ".git" || name === "git~1" || name === ".gitmodules" || /^gitmod~\d+$/.test(name)) return "git_metadata";
  }
  return kind;
}
