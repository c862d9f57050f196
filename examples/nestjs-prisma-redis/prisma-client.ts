// The part of the generated Prisma client (./generated, from prisma/schema.prisma) the example uses, typed by
// hand because the client is generated at install time rather than committed: the repository type-checks the
// examples before any client exists. In a project of your own, use the generated types directly.
export interface Product {
  id: number;
  sku: string;
  name: string;
  priceCents: number;
  stock: number;
  ageLimited: boolean;
}

interface Models {
  product: {
    findMany(args?: { where?: { sku?: { in: string[] } }; orderBy?: { id: 'asc' | 'desc' } }): Promise<Product[]>;
    updateMany(args: { where: { id: number; stock: { gte: number } }; data: { stock: { decrement: number } } }): Promise<{ count: number }>;
  };
  sale: {
    create(args: { data: { totalCents: number; verifiedBy: string | null; lines: { create: { productId: number; quantity: number; priceCents: number }[] } }; include: { lines: true } }): Promise<unknown>;
  };
}

export interface PrismaClientLike extends Models {
  $extends(extension: unknown): unknown;
  $transaction<T>(fn: (tx: Models) => Promise<T>): Promise<T>;
  $disconnect(): Promise<void>;
}
